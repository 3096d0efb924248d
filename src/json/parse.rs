//! JSON text to a `Value`, as serde_json's `from_slice::<Value>` read it: the same
//! values (its integer classes and float arithmetic), the same syntax errors at the
//! same line and column, the same recursion limit. One difference, on purpose: an
//! escaped lone UTF-16 surrogate is read as U+FFFD (what `repair_surrogates` then
//! serde_json did) instead of refused.
//!
//! Its structure and messages follow serde_json 1.0's reader (`de.rs`; MIT or
//! Apache-2.0, by the serde-rs developers), the crate it replaces in the shipped wasm.

use super::{Map, Number, Value};
use std::borrow::Cow;
use std::fmt;

/// A syntax error at a position, or a reader's message (line 0: no position), worded as
/// serde_json's `Error`.
pub struct Error {
    message: Cow<'static, str>,
    line: usize,
    column: usize,
}

impl Error {
    /// A message without a position, as serde's `de::Error::custom`.
    pub fn custom(message: String) -> Error {
        Error {
            message: Cow::Owned(message),
            line: 0,
            column: 0,
        }
    }

    pub fn line(&self) -> usize {
        self.line
    }

    pub fn column(&self) -> usize {
        self.column
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        if self.line == 0 {
            f.write_str(&self.message)
        } else {
            write!(
                f,
                "{} at line {} column {}",
                self.message, self.line, self.column
            )
        }
    }
}

/// As serde_json's: `Error("expected value", line: 1, column: 1)`.
impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "Error({:?}, line: {}, column: {})",
            self.message, self.line, self.column
        )
    }
}

impl std::error::Error for Error {}

// serde_json's `ErrorCode` texts.
const EOF_LIST: &str = "EOF while parsing a list";
const EOF_OBJECT: &str = "EOF while parsing an object";
const EOF_STRING: &str = "EOF while parsing a string";
const EOF_VALUE: &str = "EOF while parsing a value";
const EXPECTED_COLON: &str = "expected `:`";
const EXPECTED_LIST_COMMA_OR_END: &str = "expected `,` or `]`";
const EXPECTED_OBJECT_COMMA_OR_END: &str = "expected `,` or `}`";
const EXPECTED_IDENT: &str = "expected ident";
const EXPECTED_VALUE: &str = "expected value";
const INVALID_ESCAPE: &str = "invalid escape";
const INVALID_NUMBER: &str = "invalid number";
const NUMBER_OUT_OF_RANGE: &str = "number out of range";
const INVALID_UNICODE: &str = "invalid unicode code point";
const CONTROL_CHARACTER: &str = "control character (\\u0000-\\u001F) found while parsing a string";
const KEY_MUST_BE_A_STRING: &str = "key must be a string";
const TRAILING_COMMA: &str = "trailing comma";
const TRAILING_CHARACTERS: &str = "trailing characters";
const RECURSION_LIMIT: &str = "recursion limit exceeded";

type Result<T> = std::result::Result<T, Error>;

/// The value of the JSON text `bytes`, nothing but whitespace after it.
pub fn parse(bytes: &[u8]) -> Result<Value> {
    let mut p = Parser {
        bytes,
        at: 0,
        depth: 128,
        scratch: Vec::new(),
    };
    let value = p.value()?;
    match p.whitespace() {
        Some(_) => Err(p.peek_error(TRAILING_CHARACTERS)),
        None => Ok(value),
    }
}

struct Parser<'a> {
    bytes: &'a [u8],
    at: usize,
    /// Levels of nesting left: serde_json's limit of 128.
    depth: u8,
    scratch: Vec<u8>,
}

/// serde_json's test for a multiply-add that would overflow `max`.
fn overflows<
    T: Copy + PartialOrd + std::ops::Div<Output = T> + std::ops::Rem<Output = T> + From<u8>,
>(
    a: T,
    b: T,
    max: T,
) -> bool {
    let ten = T::from(10);
    a >= max / ten && (a > max / ten || b > max % ten)
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn peek_or_null(&self) -> u8 {
        self.peek().unwrap_or(0)
    }

    fn next(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.at += 1;
        Some(b)
    }

    /// serde_json's position of byte `i`: lines from 1, the column the bytes before `i`
    /// on its line.
    fn error_at(&self, i: usize, message: &'static str) -> Error {
        let before = &self.bytes[..i];
        let start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |n| n + 1);
        Error {
            message: Cow::Borrowed(message),
            line: 1 + before[..start].iter().filter(|&&b| b == b'\n').count(),
            column: i - start,
        }
    }

    /// An error at a byte already read (serde_json's `error`).
    fn error(&self, message: &'static str) -> Error {
        self.error_at(self.at, message)
    }

    /// An error at the byte peeked at (serde_json's `peek_error`).
    fn peek_error(&self, message: &'static str) -> Error {
        self.error_at(self.bytes.len().min(self.at + 1), message)
    }

    fn whitespace(&mut self) -> Option<u8> {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.peek() {
            self.at += 1;
        }
        self.peek()
    }

    fn value(&mut self) -> Result<Value> {
        let Some(peek) = self.whitespace() else {
            return Err(self.peek_error(EOF_VALUE));
        };
        Ok(match peek {
            b'n' => self.ident(b"null", Value::Null)?,
            b't' => self.ident(b"true", Value::Bool(true))?,
            b'f' => self.ident(b"false", Value::Bool(false))?,
            b'-' => {
                self.at += 1;
                self.integer(false)?
            }
            b'0'..=b'9' => self.integer(true)?,
            b'"' => {
                self.at += 1;
                Value::String(self.string()?)
            }
            b'[' => {
                self.descend()?;
                let items = self.array()?;
                self.depth += 1;
                Value::Array(items)
            }
            b'{' => {
                self.descend()?;
                let map = self.object()?;
                self.depth += 1;
                Value::Object(map)
            }
            _ => return Err(self.peek_error(EXPECTED_VALUE)),
        })
    }

    fn descend(&mut self) -> Result<()> {
        self.depth -= 1;
        if self.depth == 0 {
            return Err(self.peek_error(RECURSION_LIMIT));
        }
        self.at += 1;
        Ok(())
    }

    /// The rest of `word` (its first byte is the one peeked at).
    fn ident(&mut self, word: &[u8], value: Value) -> Result<Value> {
        self.at += 1;
        for expected in &word[1..] {
            match self.next() {
                None => return Err(self.error(EOF_VALUE)),
                Some(b) if b != *expected => return Err(self.error(EXPECTED_IDENT)),
                Some(_) => {}
            }
        }
        Ok(value)
    }

    /// After `[`: the elements and the closing `]`.
    fn array(&mut self) -> Result<Vec<Value>> {
        let mut items = Vec::new();
        loop {
            let Some(peek) = self.whitespace() else {
                return Err(self.peek_error(EOF_LIST));
            };
            if peek == b']' {
                self.at += 1;
                return Ok(items);
            }
            if !items.is_empty() {
                if peek != b',' {
                    return Err(self.peek_error(EXPECTED_LIST_COMMA_OR_END));
                }
                self.at += 1;
                match self.whitespace() {
                    Some(b']') => return Err(self.peek_error(TRAILING_COMMA)),
                    Some(_) => {}
                    None => return Err(self.peek_error(EOF_VALUE)),
                }
            }
            items.push(self.value()?);
        }
    }

    /// After `{`: the members and the closing `}`. A later duplicate wins, as in
    /// serde_json's `Map`.
    fn object(&mut self) -> Result<Map<String, Value>> {
        let mut map = Map::new();
        let mut first = true;
        loop {
            let Some(peek) = self.whitespace() else {
                return Err(self.peek_error(EOF_OBJECT));
            };
            if peek == b'}' {
                self.at += 1;
                return Ok(map);
            }
            if first {
                if peek != b'"' {
                    return Err(self.peek_error(KEY_MUST_BE_A_STRING));
                }
            } else if peek == b',' {
                self.at += 1;
                match self.whitespace() {
                    Some(b'"') => {}
                    Some(b'}') => return Err(self.peek_error(TRAILING_COMMA)),
                    Some(_) => return Err(self.peek_error(KEY_MUST_BE_A_STRING)),
                    None => return Err(self.peek_error(EOF_VALUE)),
                }
            } else {
                return Err(self.peek_error(EXPECTED_OBJECT_COMMA_OR_END));
            }
            first = false;
            self.at += 1;
            let key = self.string()?;
            match self.whitespace() {
                Some(b':') => self.at += 1,
                Some(_) => return Err(self.peek_error(EXPECTED_COLON)),
                None => return Err(self.peek_error(EOF_OBJECT)),
            }
            let value = self.value()?;
            map.insert(key, value);
        }
    }

    /// After the opening `"`: the string up to and without its closing `"`.
    fn string(&mut self) -> Result<String> {
        self.scratch.clear();
        let mut start = self.at;
        loop {
            while self
                .peek()
                .is_some_and(|b| b != b'"' && b != b'\\' && b >= 0x20)
            {
                self.at += 1;
            }
            match self.peek() {
                None => return Err(self.error(EOF_STRING)),
                Some(b'"') => {
                    let raw = &self.bytes[start..self.at];
                    self.at += 1;
                    let bytes = if self.scratch.is_empty() {
                        raw
                    } else {
                        self.scratch.extend_from_slice(raw);
                        &self.scratch
                    };
                    return match std::str::from_utf8(bytes) {
                        Ok(s) => Ok(s.to_string()),
                        // serde_json points back from the closing quote by the bytes
                        // after the first invalid one.
                        Err(e) => {
                            let mut err = self.error(INVALID_UNICODE);
                            err.column = err.column.saturating_sub(bytes.len() - e.valid_up_to());
                            Err(err)
                        }
                    };
                }
                Some(b'\\') => {
                    self.scratch.extend_from_slice(&self.bytes[start..self.at]);
                    self.at += 1;
                    self.escape()?;
                    start = self.at;
                }
                Some(_) => {
                    self.at += 1;
                    return Err(self.error(CONTROL_CHARACTER));
                }
            }
        }
    }

    /// After a `\`: its escape, into `scratch`.
    fn escape(&mut self) -> Result<()> {
        let Some(b) = self.next() else {
            return Err(self.error(EOF_STRING));
        };
        let byte = match b {
            b'"' => b'"',
            b'\\' => b'\\',
            b'/' => b'/',
            b'b' => 0x08,
            b'f' => 0x0c,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'u' => return self.unicode_escape(),
            _ => return Err(self.error(INVALID_ESCAPE)),
        };
        self.scratch.push(byte);
        Ok(())
    }

    fn hex4_at(&self, i: usize) -> Option<u16> {
        let digits = self.bytes.get(i..i + 4)?;
        digits.iter().try_fold(0u16, |n, &d| {
            Some(n << 4 | char::from(d).to_digit(16)? as u16)
        })
    }

    /// After `\u`: a code point, or two escapes of a surrogate pair. A surrogate not
    /// paired so is U+FFFD, and what follows it is read on its own.
    fn unicode_escape(&mut self) -> Result<()> {
        if self.bytes.len() - self.at < 4 {
            self.at = self.bytes.len();
            return Err(self.error(EOF_STRING));
        }
        self.at += 4;
        let Some(n) = self.hex4_at(self.at - 4) else {
            return Err(self.error(INVALID_ESCAPE));
        };
        let c = match n {
            0xD800..=0xDBFF => {
                let low = self.bytes[self.at..]
                    .starts_with(b"\\u")
                    .then(|| self.hex4_at(self.at + 2))
                    .flatten();
                match low {
                    Some(low @ 0xDC00..=0xDFFF) => {
                        self.at += 6;
                        let c =
                            0x1_0000 + ((u32::from(n) - 0xD800) << 10 | (u32::from(low) - 0xDC00));
                        char::from_u32(c).unwrap_or('\u{fffd}')
                    }
                    _ => '\u{fffd}',
                }
            }
            n => char::from_u32(n.into()).unwrap_or('\u{fffd}'),
        };
        let mut buf = [0; 4];
        self.scratch
            .extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        Ok(())
    }

    /// After an optional `-`: a number, as serde_json classes it (`u64` for a
    /// non-negative integer, `i64` for a negative one, else `f64`; `-0` is a float).
    fn integer(&mut self, positive: bool) -> Result<Value> {
        let f = match self.next() {
            None => return Err(self.error(EOF_VALUE)),
            Some(b'0') => {
                if self.peek_or_null().is_ascii_digit() {
                    return Err(self.peek_error(INVALID_NUMBER));
                }
                return self.number(positive, 0);
            }
            Some(c @ b'1'..=b'9') => {
                let mut significand = u64::from(c - b'0');
                loop {
                    let c = self.peek_or_null();
                    if !c.is_ascii_digit() {
                        return self.number(positive, significand);
                    }
                    let digit = u64::from(c - b'0');
                    if overflows(significand, digit, u64::MAX) {
                        break self.long_integer(positive, significand)?;
                    }
                    self.at += 1;
                    significand = significand * 10 + digit;
                }
            }
            Some(_) => return Err(self.error(INVALID_NUMBER)),
        };
        Ok(float(f))
    }

    fn number(&mut self, positive: bool, significand: u64) -> Result<Value> {
        Ok(match self.peek_or_null() {
            b'.' => float(self.decimal(positive, significand, 0)?),
            b'e' | b'E' => float(self.exponent(positive, significand, 0)?),
            _ if positive => Value::Number(Number::from(significand)),
            _ => {
                let neg = (significand as i64).wrapping_neg();
                // A float when it does not fit, or for `-0`.
                if neg >= 0 {
                    float(-(significand as f64))
                } else {
                    Value::Number(Number::from(neg))
                }
            }
        })
    }

    /// An integer with more digits than a `u64` holds: the rest only counted.
    fn long_integer(&mut self, positive: bool, significand: u64) -> Result<f64> {
        let mut exponent = 0;
        loop {
            match self.peek_or_null() {
                b'0'..=b'9' => {
                    self.at += 1;
                    exponent += 1;
                }
                b'.' => return self.decimal(positive, significand, exponent),
                b'e' | b'E' => return self.exponent(positive, significand, exponent),
                _ => return self.f64_from_parts(positive, significand, exponent),
            }
        }
    }

    fn decimal(
        &mut self,
        positive: bool,
        mut significand: u64,
        exponent_before: i32,
    ) -> Result<f64> {
        self.at += 1;
        let mut exponent_after = 0;
        while let c @ b'0'..=b'9' = self.peek_or_null() {
            let digit = u64::from(c - b'0');
            if overflows(significand, digit, u64::MAX) {
                // The digits a `u64` cannot hold are dropped.
                while self.peek_or_null().is_ascii_digit() {
                    self.at += 1;
                }
                let exponent = exponent_before + exponent_after;
                return match self.peek_or_null() {
                    b'e' | b'E' => self.exponent(positive, significand, exponent),
                    _ => self.f64_from_parts(positive, significand, exponent),
                };
            }
            self.at += 1;
            significand = significand * 10 + digit;
            exponent_after -= 1;
        }
        if exponent_after == 0 {
            return Err(match self.peek() {
                Some(_) => self.peek_error(INVALID_NUMBER),
                None => self.peek_error(EOF_VALUE),
            });
        }
        let exponent = exponent_before + exponent_after;
        match self.peek_or_null() {
            b'e' | b'E' => self.exponent(positive, significand, exponent),
            _ => self.f64_from_parts(positive, significand, exponent),
        }
    }

    fn exponent(&mut self, positive: bool, significand: u64, starting: i32) -> Result<f64> {
        self.at += 1;
        let positive_exp = match self.peek_or_null() {
            b'+' => {
                self.at += 1;
                true
            }
            b'-' => {
                self.at += 1;
                false
            }
            _ => true,
        };
        let mut exp = match self.next() {
            None => return Err(self.error(EOF_VALUE)),
            Some(c @ b'0'..=b'9') => i32::from(c - b'0'),
            Some(_) => return Err(self.error(INVALID_NUMBER)),
        };
        while let c @ b'0'..=b'9' = self.peek_or_null() {
            self.at += 1;
            let digit = i32::from(c - b'0');
            if overflows(exp, digit, i32::MAX) {
                // Out of range, or zero (a zero significand, or a huge negative exponent).
                if significand != 0 && positive_exp {
                    return Err(self.error(NUMBER_OUT_OF_RANGE));
                }
                while self.peek_or_null().is_ascii_digit() {
                    self.at += 1;
                }
                return Ok(if positive { 0.0 } else { -0.0 });
            }
            exp = exp * 10 + digit;
        }
        let exponent = if positive_exp {
            starting.saturating_add(exp)
        } else {
            starting.saturating_sub(exp)
        };
        self.f64_from_parts(positive, significand, exponent)
    }

    /// serde_json's float arithmetic (without its `float_roundtrip` feature), so that
    /// every float reads as it did.
    fn f64_from_parts(
        &mut self,
        positive: bool,
        significand: u64,
        mut exponent: i32,
    ) -> Result<f64> {
        let mut f = significand as f64;
        loop {
            match POW10.get(exponent.unsigned_abs() as usize) {
                Some(&pow) => {
                    if exponent >= 0 {
                        f *= pow;
                        if f.is_infinite() {
                            return Err(self.error(NUMBER_OUT_OF_RANGE));
                        }
                    } else {
                        f /= pow;
                    }
                    break;
                }
                None => {
                    if f == 0.0 {
                        break;
                    }
                    if exponent >= 0 {
                        return Err(self.error(NUMBER_OUT_OF_RANGE));
                    }
                    f /= 1e308;
                    exponent += 308;
                }
            }
        }
        Ok(if positive { f } else { -f })
    }
}

fn float(f: f64) -> Value {
    Value::from(f)
}

#[rustfmt::skip]
static POW10: [f64; 309] = [
    1e000, 1e001, 1e002, 1e003, 1e004, 1e005, 1e006, 1e007, 1e008, 1e009, //
    1e010, 1e011, 1e012, 1e013, 1e014, 1e015, 1e016, 1e017, 1e018, 1e019, //
    1e020, 1e021, 1e022, 1e023, 1e024, 1e025, 1e026, 1e027, 1e028, 1e029, //
    1e030, 1e031, 1e032, 1e033, 1e034, 1e035, 1e036, 1e037, 1e038, 1e039, //
    1e040, 1e041, 1e042, 1e043, 1e044, 1e045, 1e046, 1e047, 1e048, 1e049, //
    1e050, 1e051, 1e052, 1e053, 1e054, 1e055, 1e056, 1e057, 1e058, 1e059, //
    1e060, 1e061, 1e062, 1e063, 1e064, 1e065, 1e066, 1e067, 1e068, 1e069, //
    1e070, 1e071, 1e072, 1e073, 1e074, 1e075, 1e076, 1e077, 1e078, 1e079, //
    1e080, 1e081, 1e082, 1e083, 1e084, 1e085, 1e086, 1e087, 1e088, 1e089, //
    1e090, 1e091, 1e092, 1e093, 1e094, 1e095, 1e096, 1e097, 1e098, 1e099, //
    1e100, 1e101, 1e102, 1e103, 1e104, 1e105, 1e106, 1e107, 1e108, 1e109, //
    1e110, 1e111, 1e112, 1e113, 1e114, 1e115, 1e116, 1e117, 1e118, 1e119, //
    1e120, 1e121, 1e122, 1e123, 1e124, 1e125, 1e126, 1e127, 1e128, 1e129, //
    1e130, 1e131, 1e132, 1e133, 1e134, 1e135, 1e136, 1e137, 1e138, 1e139, //
    1e140, 1e141, 1e142, 1e143, 1e144, 1e145, 1e146, 1e147, 1e148, 1e149, //
    1e150, 1e151, 1e152, 1e153, 1e154, 1e155, 1e156, 1e157, 1e158, 1e159, //
    1e160, 1e161, 1e162, 1e163, 1e164, 1e165, 1e166, 1e167, 1e168, 1e169, //
    1e170, 1e171, 1e172, 1e173, 1e174, 1e175, 1e176, 1e177, 1e178, 1e179, //
    1e180, 1e181, 1e182, 1e183, 1e184, 1e185, 1e186, 1e187, 1e188, 1e189, //
    1e190, 1e191, 1e192, 1e193, 1e194, 1e195, 1e196, 1e197, 1e198, 1e199, //
    1e200, 1e201, 1e202, 1e203, 1e204, 1e205, 1e206, 1e207, 1e208, 1e209, //
    1e210, 1e211, 1e212, 1e213, 1e214, 1e215, 1e216, 1e217, 1e218, 1e219, //
    1e220, 1e221, 1e222, 1e223, 1e224, 1e225, 1e226, 1e227, 1e228, 1e229, //
    1e230, 1e231, 1e232, 1e233, 1e234, 1e235, 1e236, 1e237, 1e238, 1e239, //
    1e240, 1e241, 1e242, 1e243, 1e244, 1e245, 1e246, 1e247, 1e248, 1e249, //
    1e250, 1e251, 1e252, 1e253, 1e254, 1e255, 1e256, 1e257, 1e258, 1e259, //
    1e260, 1e261, 1e262, 1e263, 1e264, 1e265, 1e266, 1e267, 1e268, 1e269, //
    1e270, 1e271, 1e272, 1e273, 1e274, 1e275, 1e276, 1e277, 1e278, 1e279, //
    1e280, 1e281, 1e282, 1e283, 1e284, 1e285, 1e286, 1e287, 1e288, 1e289, //
    1e290, 1e291, 1e292, 1e293, 1e294, 1e295, 1e296, 1e297, 1e298, 1e299, //
    1e300, 1e301, 1e302, 1e303, 1e304, 1e305, 1e306, 1e307, 1e308,
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::{repair_surrogates, testing::ours};

    /// serde_json on `text` (lone surrogates repaired first, as the crate used it).
    fn reference(text: &[u8]) -> std::result::Result<Value, String> {
        let fixed = repair_surrogates(text);
        serde_json::from_slice::<serde_json::Value>(fixed.as_deref().unwrap_or(text))
            .map(ours)
            .map_err(|e| e.to_string())
    }

    fn same(text: &[u8]) {
        let mine = parse(text).map_err(|e| e.to_string());
        assert_eq!(mine, reference(text), "{:?}", String::from_utf8_lossy(text));
    }

    const CASES: &[&str] = &[
        // Values, whitespace, nesting.
        "null",
        "true",
        "false",
        " \t\r\n[1, 2 ,3]\n ",
        "{}",
        "[]",
        r#"{"a":{"b":[{}]}}"#,
        r#""a\"b\\c\/d\b\f\n\r\t\u0041\u00e9\u20ac\ud83d\ude00""#,
        r#""é😀""#,
        // Duplicate keys: the last wins; keys in any order.
        r#"{"b":1,"a":2,"b":3}"#,
        r#"{"z":1,"y":{"x":2},"a":[]}"#,
        // Numbers as serde_json classes them.
        "0",
        "-0",
        "1.5",
        "1E2",
        "1e+2",
        "1e-2",
        "-1.5e-3",
        "1e400",
        "-1e400",
        "1e-400",
        "18446744073709551615",
        "18446744073709551616",
        "-9223372036854775808",
        "-9223372036854775809",
        "123456789012345678901234567890",
        "0.1",
        "2.2250738585072014e-308",
        "1.7976931348623157e308",
        "0e99999999999",
        "1e-99999999999",
        "1e99999999999",
        "12345678901234567890123.5e-3",
        "0.000000000000000000000000000000000001",
        "9007199254740993",
        "1.00000000000000011102230246251565404236316680908203125",
        // Lone surrogates: U+FFFD.
        r#""\ud800""#,
        r#""\udfff""#,
        r#""\ud800\u0041""#,
        r#""\ud800\ud800\udc00""#,
        r#""\ud800\n""#,
        r#"{"\udc00":1}"#,
        r#""\ud800\u12""#,
        r#""\ud800\u""#,
        // Every syntax error serde_json reports.
        "",
        "   ",
        "[",
        "[1",
        "[1,",
        "[1,]",
        "[1 2]",
        "{",
        r#"{"a""#,
        r#"{"a":"#,
        r#"{"a":1"#,
        r#"{"a":1,"#,
        r#"{"a":1,}"#,
        r#"{"a" 1}"#,
        r#"{"a":1 "b":2}"#,
        "{1:2}",
        r#"{"a":1,2:3}"#,
        "nul",
        "nulx",
        "tru",
        "fals",
        "x",
        "+1",
        "01",
        "-",
        "-a",
        "1.",
        "1.e3",
        "1e",
        "1e+",
        "1ex",
        ".5",
        r#""abc"#,
        "\"a\u{1}b\"",
        r#""\x""#,
        r#""\u00""#,
        r#""\uzzzz""#,
        r#""\"#,
        "[1] 2",
        "1 x",
        "\"a\"b",
        "{} {}",
        "[1]\n\n  ,",
        "\n\n[1,\n 2,\n x]",
        "{\"a\":\n\n\n}",
        "\u{feff}1",
        "[1,2,]",
        "[,]",
        "[1,,2]",
    ];

    #[test]
    fn reads_as_serde_json_read() {
        for text in CASES {
            same(text.as_bytes());
        }
        // Invalid UTF-8 in a string, plain and after an escape; and outside strings.
        for bytes in [
            &b"\"a\xffb\""[..],
            b"\"\\n\xc3\"",
            b"[\"ok\", \"\xe2\x82\"]",
            b"\xff",
            b"{\"\xc0\":1}",
        ] {
            same(bytes);
        }
    }

    #[test]
    fn messages_and_positions() {
        let err = |t: &str| parse(t.as_bytes()).unwrap_err().to_string();
        assert_eq!(
            err("{\"a\":1"),
            "EOF while parsing an object at line 1 column 6"
        );
        assert_eq!(err("[1] 2"), "trailing characters at line 1 column 5");
        assert_eq!(err("\n  x"), "expected value at line 2 column 3");
        assert_eq!(err("1e400"), "number out of range at line 1 column 5");
        let e = parse(b"[\n1,]").unwrap_err();
        assert_eq!((e.line(), e.column()), (2, 3));
        assert_eq!(e.to_string(), "trailing comma at line 2 column 3");
        assert_eq!(Error::custom("x".into()).to_string(), "x");
    }

    #[test]
    fn numbers() {
        let n = |t: &str| match parse(t.as_bytes()).unwrap() {
            Value::Number(n) => n,
            v => panic!("{v:?}"),
        };
        assert_eq!(n("0").as_u64(), Some(0));
        assert!(n("-0").is_f64() && n("-0").as_f64().unwrap().is_sign_negative());
        assert_eq!(n("-5").as_i64(), Some(-5));
        assert_eq!(
            n("18446744073709551616").as_f64(),
            Some(18446744073709551616.0)
        );
        assert_eq!(
            n("-9223372036854775809").as_f64(),
            Some(-9223372036854775808.0)
        );
        assert_eq!(n("1E2").as_f64(), Some(100.0));
        assert_eq!(n("1.5").to_string(), "1.5");
        assert_eq!(n("100.0").to_string(), "100.0");
        assert!(parse(b"1e400").is_err());
    }

    #[test]
    fn nesting_stops_at_128_levels() {
        let nested = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(parse(nested(127).as_bytes()).is_ok());
        assert_eq!(
            parse(nested(128).as_bytes()).unwrap_err().to_string(),
            "recursion limit exceeded at line 1 column 128"
        );
        for n in [126, 127, 128, 129] {
            same(nested(n).as_bytes());
            same(format!("{}1{}", "{\"a\":".repeat(n), "}".repeat(n)).as_bytes());
        }
    }

    /// Byte-level mutations of valid texts: serde_json and `parse` agree on each, both
    /// on the value and on the error's words and position.
    #[test]
    fn agrees_with_serde_json_on_mutated_texts() {
        let seeds: &[&[u8]] = &[
            br#"{"name": "a\u00e9\ud800.pdf", "size": 12, "list": [1, -2, 3.5e-1, true, null], "o": {"k": "v"}}"#,
            b"[0, -0, 1e5, 18446744073709551615, \"\\\\\\\"\", {}, []]\n",
            br#"{"$type": "x", "$values": [{"Name": "N", "Value": {"$value": -7}}]}"#,
        ];
        const ALPHABET: &[u8] = b"{}[]:,\"\\u0123456789.eE+-tfnrulasd \n\t\x01\xff\xc3";
        let mut seed = 0x2545_f491_u64;
        let mut rand = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        for _ in 0..20_000 {
            let mut text = seeds[rand(seeds.len())].to_vec();
            for _ in 0..1 + rand(3) {
                let at = rand(text.len() + 1);
                match rand(3) {
                    0 if at < text.len() => {
                        text.remove(at);
                    }
                    1 if at < text.len() => text[at] = ALPHABET[rand(ALPHABET.len())],
                    _ => text.insert(at, ALPHABET[rand(ALPHABET.len())]),
                }
            }
            same(&text);
        }
    }
}
