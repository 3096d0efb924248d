//! Base64 in chunks: bytes arrive from the network a chunk at a time and leave as
//! base64 text a chunk at a time, so a large attachment is never whole in memory.
//! Joining the outputs gives exactly the base64 of all the input.

/// The standard alphabet (RFC 4648 section 4).
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with `=` padding, appended to `out`: the `base64` crate's `STANDARD`
/// engine, in a few lines instead of its 7 KB of wasm.
pub fn base64_encode_into(bytes: &[u8], out: &mut String) {
    out.reserve(bytes.len().div_ceil(3) * 4);
    for group in bytes.chunks(3) {
        let n = group
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            out.push(if i <= group.len() {
                char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize])
            } else {
                '='
            });
        }
    }
}

pub fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::new();
    base64_encode_into(bytes, &mut out);
    out
}

/// Standard base64 read as the `base64` crate's `STANDARD` engine reads it: padded to a
/// multiple of 4, `=` only at the end, and the unused bits of the last character zero;
/// `None` otherwise.
pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.as_bytes();
    if !text.len().is_multiple_of(4) {
        return None;
    }
    let value = |c: u8| ALPHABET.iter().position(|&a| a == c).map(|v| v as u32);
    let groups = text.len() / 4;
    let mut out = Vec::with_capacity(groups * 3);
    for (i, group) in text.chunks_exact(4).enumerate() {
        let padding = if i + 1 == groups {
            group.iter().rev().take_while(|&&c| c == b'=').count()
        } else {
            0
        };
        if padding > 2 {
            return None;
        }
        let mut n = 0;
        for &c in &group[..4 - padding] {
            n = n << 6 | value(c)?;
        }
        let [_, bytes @ ..] = (n << (6 * padding)).to_be_bytes();
        // The bits after the last whole byte must be zero.
        if bytes[3 - padding..].iter().any(|&b| b != 0) {
            return None;
        }
        out.extend_from_slice(&bytes[..3 - padding]);
    }
    Some(out)
}

#[derive(Debug, Default)]
pub struct ChunkEncoder {
    /// 0 to 2 bytes left over from the last chunk (base64 encodes 3 at a time).
    carry: Vec<u8>,
    bytes: u64,
}

impl ChunkEncoder {
    pub fn new() -> Self {
        Self::default()
    }

    /// The base64 of as much of `chunk` (after the carried bytes) as makes whole groups.
    pub fn push(&mut self, chunk: &[u8]) -> String {
        self.bytes += chunk.len() as u64;
        let take = (3 - self.carry.len()) % 3;
        let (head, rest) = chunk.split_at(take.min(chunk.len()));
        self.carry.extend_from_slice(head);
        let mut out = String::new();
        if self.carry.len() == 3 {
            base64_encode_into(&self.carry, &mut out);
            self.carry.clear();
        } else if rest.is_empty() {
            return out;
        }
        let whole = rest.len() / 3 * 3;
        base64_encode_into(&rest[..whole], &mut out);
        self.carry.extend_from_slice(&rest[whole..]);
        out
    }

    /// The padded base64 of the carried bytes; the encoder is done.
    pub fn finish(self) -> (String, u64) {
        (base64_encode(&self.carry), self.bytes)
    }
}

/// How many bytes a base64 text of `len` characters decodes to, from its last few
/// characters (where the padding is): the text itself can stay in JS.
pub fn decoded_len(len: u64, tail: &str) -> u64 {
    let padding = tail.bytes().rev().take_while(|b| *b == b'=').count() as u64;
    (len / 4 * 3).saturating_sub(padding)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine;

    /// A fixed pseudo-random sequence (xorshift), so a failure can be replayed.
    fn bytes(seed: &mut u64, len: usize) -> Vec<u8> {
        (0..len)
            .map(|_| {
                *seed ^= *seed << 13;
                *seed ^= *seed >> 7;
                *seed ^= *seed << 17;
                *seed as u8
            })
            .collect()
    }

    #[test]
    fn base64_is_the_base64_crates_standard_engine() {
        let mut seed = 0x9e37_79b9_7f4a_7c15;
        for len in (0..300).chain([1000, 3001, 65_536]) {
            let data = bytes(&mut seed, len);
            let ours = base64_encode(&data);
            assert_eq!(ours, STANDARD.encode(&data), "{len}");
            assert_eq!(base64_decode(&ours), Some(data), "{len}");
        }
        // Every text of up to 4 characters over the alphabet's edges, `=` and others.
        let chars = b"AQgw/+9zP=-_ .\n\xc3";
        let mut texts = vec![Vec::new()];
        for _ in 0..4 {
            let longer: Vec<Vec<u8>> = texts
                .iter()
                .flat_map(|t| chars.iter().map(move |&c| [t.clone(), vec![c]].concat()))
                .collect();
            texts.extend(longer);
        }
        // And damaged texts: one character replaced, anywhere in a longer one.
        for _ in 0..20_000 {
            let len = (seed % 20) as usize;
            let data = bytes(&mut seed, len);
            let mut text = STANDARD.encode(&data).into_bytes();
            if !text.is_empty() {
                let at = (seed % text.len() as u64) as usize;
                text[at] = chars[(seed >> 8) as usize % chars.len()];
            }
            texts.push(text);
        }
        for text in texts {
            let Ok(text) = String::from_utf8(text) else {
                continue;
            };
            assert_eq!(
                base64_decode(&text),
                STANDARD.decode(&text).ok(),
                "{text:?}"
            );
        }
    }

    fn chunked(data: &[u8], sizes: &[usize]) -> String {
        let mut enc = ChunkEncoder::new();
        let mut out = String::new();
        let mut rest = data;
        for &n in sizes.iter().cycle() {
            if rest.is_empty() {
                break;
            }
            let (chunk, tail) = rest.split_at(n.min(rest.len()));
            out.push_str(&enc.push(chunk));
            rest = tail;
        }
        let (tail, bytes) = enc.finish();
        assert_eq!(bytes, data.len() as u64);
        out + &tail
    }

    #[test]
    fn any_chunking_gives_the_whole_base64() {
        let data: Vec<u8> = (0..1000u32).map(|i| (i * 7 % 256) as u8).collect();
        let whole = STANDARD.encode(&data);
        for sizes in [
            &[1][..],
            &[2],
            &[3],
            &[4, 1],
            &[5, 2, 7],
            &[64 * 1024],
            &[1000],
        ] {
            assert_eq!(chunked(&data, sizes), whole, "{sizes:?}");
        }
        for len in 0..10 {
            assert_eq!(
                chunked(&data[..len], &[1, 2]),
                STANDARD.encode(&data[..len]),
                "{len}"
            );
        }
    }

    #[test]
    fn empty_chunks_change_nothing() {
        let mut enc = ChunkEncoder::new();
        assert_eq!(enc.push(b""), "");
        assert_eq!(enc.push(b"a"), "");
        assert_eq!(enc.push(b""), "");
        assert_eq!(enc.push(b"bcd"), "YWJj");
        assert_eq!(enc.finish(), ("ZA==".to_string(), 4));
    }

    #[test]
    fn decoded_lengths() {
        let len =
            |text: &str| decoded_len(text.len() as u64, &text[text.len().saturating_sub(4)..]);
        assert_eq!(len(""), 0);
        assert_eq!(len("ZA=="), 1);
        assert_eq!(len("ZGE="), 2);
        assert_eq!(len("ZGFi"), 3);
        for n in [1000, 1001, 1002] {
            assert_eq!(len(&STANDARD.encode(vec![7u8; n])), n as u64);
        }
    }
}
