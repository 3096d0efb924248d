//! Safe stored names. Attachment names and subjects come from the email's sender: the
//! user sees them as they are, but iMIS stores a name with no path separators, control
//! or bidirectional-override characters, reserved device names or excessive length.

use crate::text::{bounded, units};

/// Longest stored name, extension included, in UTF-16 code units as iMIS counts them.
pub const MAX_NAME_UNITS: usize = 100;

const RESERVED: [&str; 22] = [
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

fn is_bidi_or_invisible(c: char) -> bool {
    matches!(c,
        '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// One name made safe to store; `fallback` when nothing usable is left.
pub fn safe_name(name: &str, fallback: &str) -> String {
    let cleaned: String = name
        .chars()
        .filter(|c| !is_bidi_or_invisible(*c))
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_whitespace() => ' ',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    let collapsed = cleaned
        .split(' ')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let trimmed = collapsed.trim_matches(|c| c == '.' || c == ' ');
    if trimmed.chars().all(|c| c == '_') {
        return fallback.to_string();
    }
    let (stem, ext) = split_extension(trimmed);
    // Windows reads a device name up to the first dot: `CON.txt`, `nul.tar.gz`, `con. a`.
    let device = trimmed.split('.').next().unwrap_or_default().trim_end();
    let stem = if RESERVED.contains(&device.to_ascii_uppercase().as_str()) {
        format!("_{stem}")
    } else {
        stem.to_string()
    };
    let name = truncate_keeping_extension(&stem, ext, MAX_NAME_UNITS);
    // Cutting a name that has no extension can leave a short tail after its last dot,
    // which then reads as one: settle the name as a second pass would, so that
    // `safe_name` of a safe name is that name. A cut can also leave nothing but `_`.
    let (stem, ext) = split_extension(&name);
    let name = truncate_keeping_extension(stem, ext, MAX_NAME_UNITS);
    if name.chars().all(|c| c == '_') {
        return fallback.to_string();
    }
    name
}

/// Splits `report.final.pdf` into `("report.final", ".pdf")`; a short tail after the
/// last dot counts as the extension.
fn split_extension(name: &str) -> (&str, &str) {
    match name.rfind('.') {
        Some(i) if i > 0 && name.len() - i <= 11 && !name[i + 1..].contains(' ') => {
            name.split_at(i)
        }
        _ => (name, ""),
    }
}

fn truncate_keeping_extension(stem: &str, ext: &str, max: usize) -> String {
    let room = max.saturating_sub(units(ext)).max(1);
    let stem = bounded(stem, room);
    format!("{}{ext}", stem.trim_end_matches([' ', '.']))
}

/// Gives every name in `names` a distinct stored name (case-insensitively, as iMIS
/// folders compare names): the second `a.pdf` becomes `a (2).pdf`.
pub fn distinct_names(names: &[String]) -> Vec<String> {
    // The lowercased names so far (a sorted Vec: a few names per email).
    let mut taken = crate::vecmap::Map::new();
    names
        .iter()
        .map(|name| {
            let (stem, ext) = split_extension(name);
            let mut candidate = name.clone();
            let mut n = 1;
            while taken
                .insert(crate::text::lowercase(&candidate), ())
                .is_some()
            {
                n += 1;
                let suffix = format!(" ({n}){ext}");
                candidate = truncate_keeping_extension(stem, &suffix, MAX_NAME_UNITS);
            }
            candidate
        })
        .collect()
}

/// The folder that holds one email's documents: date, time, subject and a short tag
/// from the message id, so two emails with one subject never share a folder.
pub fn email_folder_name(date: &str, subject: &str, message_key: &str) -> String {
    let stamp = match (date.get(0..10), date.get(11..13), date.get(14..16)) {
        (Some(d), Some(h), Some(m)) if date.as_bytes().get(10) == Some(&b'T') => {
            format!("{d} {h}{m}")
        }
        _ => "undated".to_string(),
    };
    let tag = format!("{:08x}", fnv1a(message_key.as_bytes()));
    let subject = safe_name(subject, "no subject");
    // 60 units of subject leave room for the date and the tag within the name's 100.
    let subject = bounded(&subject, 60);
    safe_name(&format!("{stamp} {subject} [{tag}]"), "email")
}

/// FNV-1a: a short stable tag, not a security measure.
fn fnv1a(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5, |h, b| {
        (h ^ u32::from(*b)).wrapping_mul(0x0100_0193)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_emoji_subject_keeps_the_folders_tag() {
        let name = email_folder_name("2026-11-20T09:30:00Z", &"🙂".repeat(80), "<m@x>");
        assert!(name.ends_with(']'), "{name}");
        assert!(units(&name) <= MAX_NAME_UNITS);
    }

    #[test]
    fn device_names_are_reserved_before_any_dot() {
        assert_eq!(safe_name("CON.tar.gz", "x"), "_CON.tar.gz");
        assert_eq!(safe_name("aux.pdf", "x"), "_aux.pdf");
        assert_eq!(safe_name("Com1", "x"), "_Com1");
        assert_eq!(safe_name("CONSOLE.pdf", "x"), "CONSOLE.pdf");
        assert_eq!(safe_name("my CON.pdf", "x"), "my CON.pdf");
    }

    #[test]
    fn separators_controls_and_markup_are_neutralised() {
        assert_eq!(safe_name("../../etc/passwd", "x"), "_.._etc_passwd");
        assert_eq!(safe_name("a\\b:c*?.pdf", "x"), "a_b_c__.pdf");
        assert_eq!(
            safe_name("<img src=x onerror=alert(1)>.pdf", "x"),
            "_img src=x onerror=alert(1)_.pdf"
        );
        assert_eq!(safe_name("tab\there\u{7}.txt", "x"), "tab here_.txt");
    }

    #[test]
    fn bidi_overrides_cannot_disguise_an_extension() {
        // "invoice\u{202E}fdp.exe" displays as "invoiceexe.pdf".
        assert_eq!(safe_name("invoice\u{202E}fdp.exe", "x"), "invoicefdp.exe");
    }

    #[test]
    fn reserved_device_names_get_a_prefix() {
        assert_eq!(safe_name("CON.txt", "x"), "_CON.txt");
        assert_eq!(safe_name("lpt1", "x"), "_lpt1");
        assert_eq!(safe_name("console.txt", "x"), "console.txt");
        // Windows reads the name up to the first dot.
        assert_eq!(safe_name("nul.tar.gz", "x"), "_nul.tar.gz");
        assert_eq!(safe_name("con. a", "x"), "_con. a");
    }

    #[test]
    fn cutting_a_long_name_gives_a_name_that_stays_as_it_is() {
        // The cut leaves ".abc" at the end: it reads as an extension the second time.
        let name = format!("{} .abcdefghijklmnop", "x".repeat(95));
        let once = safe_name(&name, "x");
        assert_eq!(once, format!("{}.abc", "x".repeat(95)));
        assert_eq!(safe_name(&once, "x"), once);
        assert_eq!(safe_name(&format!("{}a", "_".repeat(100)), "x"), "x");
    }

    #[test]
    fn empty_or_dotty_names_fall_back() {
        assert_eq!(safe_name("", "attachment"), "attachment");
        assert_eq!(safe_name(" ... ", "attachment"), "attachment");
        assert_eq!(safe_name("///", "attachment"), "attachment");
        assert_eq!(safe_name(".hidden", "x"), "hidden");
    }

    #[test]
    fn long_names_keep_their_extension_and_whole_characters() {
        let long = format!("{}.pdf", "é".repeat(300));
        let safe = safe_name(&long, "x");
        assert_eq!(units(&safe), MAX_NAME_UNITS);
        assert!(safe.ends_with("é.pdf"));
    }

    #[test]
    fn duplicates_get_distinct_names_case_insensitively() {
        let names = ["a.pdf", "A.pdf", "a.pdf", "a (2).pdf", "b"].map(String::from);
        assert_eq!(
            distinct_names(&names),
            ["a.pdf", "A (2).pdf", "a (3).pdf", "a (2) (2).pdf", "b"]
        );
    }

    #[test]
    fn folder_names_carry_date_subject_and_tag() {
        let a = email_folder_name("2026-11-20T09:30:00Z", "Board papers / Dec", "<a@x>");
        let b = email_folder_name("2026-11-20T09:30:00Z", "Board papers / Dec", "<b@x>");
        assert!(a.starts_with("2026-11-20 0930 Board papers _ Dec ["), "{a}");
        assert_ne!(a, b);
        assert_eq!(
            a,
            email_folder_name("2026-11-20T09:30:00Z", "Board papers / Dec", "<a@x>")
        );
        assert!(email_folder_name("yesterday", "", "k").starts_with("undated no subject ["));
    }
}
