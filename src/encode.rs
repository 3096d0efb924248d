//! Base64 and SHA-256, written out: small in the wasm, checked against the crates.
//! src/body.rs encodes a download in folds of whole 3-byte groups, so joining their
//! text gives exactly the base64 of all of it.

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

/// Whole groups of 3 bytes (`bytes.len()` a multiple of 3) as base64 bytes.
pub fn base64_bytes_into(bytes: &[u8], out: &mut Vec<u8>) {
    for g in bytes.chunks_exact(3) {
        let n = u32::from(g[0]) << 16 | u32::from(g[1]) << 8 | u32::from(g[2]);
        out.extend_from_slice(&[
            ALPHABET[(n >> 18) as usize & 63],
            ALPHABET[(n >> 12) as usize & 63],
            ALPHABET[(n >> 6) as usize & 63],
            ALPHABET[n as usize & 63],
        ]);
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

/// How many bytes a base64 text of `len` characters decodes to, from its last few
/// characters (where the padding is): the text itself can stay in JS.
pub fn decoded_len(len: u64, tail: &str) -> u64 {
    let padding = tail.bytes().rev().take_while(|b| *b == b'=').count() as u64;
    (len / 4 * 3).saturating_sub(padding)
}

/// SHA-256 (FIPS 180-4), for the short keys that mark an email as saved: a plain loop,
/// where the `sha2` crate's unrolled rounds and generic plumbing were 5 KB of wasm.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];
    let mut h: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
        0x5be0cd19,
    ];
    // The message, a 1 bit, zeros, and its length in bits: whole 64-byte blocks.
    let mut message = data.to_vec();
    message.push(0x80);
    while message.len() % 64 != 56 {
        message.push(0);
    }
    message.extend_from_slice(&((data.len() as u64) * 8).to_be_bytes());
    for block in message.chunks_exact(64) {
        let mut w = [0u32; 64];
        for (i, word) in block.chunks_exact(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..64 {
            let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
            let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16]
                .wrapping_add(s0)
                .wrapping_add(w[i - 7])
                .wrapping_add(s1);
        }
        let mut v = h;
        for i in 0..64 {
            let [a, b, c, d, e, f, g, hh] = v;
            let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let choice = (e & f) ^ (!e & g);
            let t1 = hh
                .wrapping_add(s1)
                .wrapping_add(choice)
                .wrapping_add(K[i])
                .wrapping_add(w[i]);
            let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
            let majority = (a & b) ^ (a & c) ^ (b & c);
            let t2 = s0.wrapping_add(majority);
            v = [t1.wrapping_add(t2), a, b, c, d.wrapping_add(t1), e, f, g];
        }
        for (h, v) in h.iter_mut().zip(v) {
            *h = h.wrapping_add(v);
        }
    }
    let mut out = [0u8; 32];
    for (bytes, word) in out.chunks_exact_mut(4).zip(h) {
        bytes.copy_from_slice(&word.to_be_bytes());
    }
    out
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
    fn sha256_is_the_sha2_crates() {
        use sha2::Digest;
        let mut seed = 0x2545_f491_4f6c_dd1d;
        for len in (0..300).chain([1000, 4096, 100_003]) {
            let data = bytes(&mut seed, len);
            let theirs: [u8; 32] = sha2::Sha256::digest(&data).into();
            assert_eq!(sha256(&data), theirs, "{len}");
        }
        // FIPS 180-2's first example.
        assert_eq!(sha256(b"abc")[..4], [0xba, 0x78, 0x16, 0xbf],);
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

    #[test]
    fn whole_groups_as_bytes_are_the_crates_base64() {
        let data: Vec<u8> = (0..3000u32).map(|i| (i * 131 % 256) as u8).collect();
        for len in [0, 3, 6, 999, 3000] {
            let mut out = Vec::new();
            base64_bytes_into(&data[..len], &mut out);
            assert_eq!(
                out,
                STANDARD.encode(&data[..len]).into_bytes(),
                "{len} bytes"
            );
        }
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
