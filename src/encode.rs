//! Base64 in chunks: bytes arrive from the network a chunk at a time and leave as
//! base64 text a chunk at a time, so a large attachment is never whole in memory.
//! Joining the outputs gives exactly the base64 of all the input.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

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
            STANDARD.encode_string(&self.carry, &mut out);
            self.carry.clear();
        } else if rest.is_empty() {
            return out;
        }
        let whole = rest.len() / 3 * 3;
        STANDARD.encode_string(&rest[..whole], &mut out);
        self.carry.extend_from_slice(&rest[whole..]);
        out
    }

    /// The padded base64 of the carried bytes; the encoder is done.
    pub fn finish(self) -> (String, u64) {
        (STANDARD.encode(&self.carry), self.bytes)
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
