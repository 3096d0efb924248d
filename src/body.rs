//! An attachment's content on its way to iMIS: base64 text, folded into `Blob`s every
//! few MiB as it is made, joined into one `Blob` with the document's JSON around it
//! only when it is sent.
//!
//! Where the browser has `Uint8Array.prototype.toBase64` (current Chromium, so Outlook
//! on the web and WebView2; Safari from 18.2), the bytes never enter wasm: they are
//! gathered in one reused JS buffer and encoded there. Elsewhere the crate's encoder
//! does it (src/encode.rs). Either way the base64 text is handed to a `Blob` at once,
//! so the browser holds one copy of it, not one in strings and another in the upload.

use js_sys::{Array, Function, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, BlobPropertyBag, ReadableStream, ReadableStreamDefaultReader};

use crate::encode::ChunkEncoder;
use crate::http::js_message;

/// Bytes encoded at a time and folded into one `Blob`: a multiple of 3, so every
/// fold's base64 but the last ends without padding and the folds join into one text.
pub const FOLD_BYTES: u32 = 3 * 1024 * 1024;

pub struct Body {
    /// The base64 text, in order: `Blob`s and strings.
    parts: Array,
    /// Bytes before encoding.
    pub bytes: u64,
    /// The content type the source reported, if any.
    pub content_type: Option<String>,
}

impl Body {
    /// Content that is already base64 text in JS (the host's `getAttachmentContentAsync`):
    /// it never enters wasm memory.
    pub fn from_base64(text: JsValue, bytes: u64, content_type: Option<String>) -> Body {
        Body {
            parts: Array::of1(&text),
            bytes,
            content_type,
        }
    }

    /// The upload: `head`, the base64 text, `tail`, as one `Blob` (the folds are
    /// referenced, not copied).
    pub fn to_blob(&self, head: &str, tail: &str) -> Result<Blob, String> {
        let all = Array::new();
        all.push(&JsValue::from_str(head));
        for part in self.parts.iter() {
            all.push(&part);
        }
        all.push(&JsValue::from_str(tail));
        let options = BlobPropertyBag::new();
        options.set_type("application/json");
        Blob::new_with_str_sequence_and_options(&all, &options).map_err(|e| js_message(&e))
    }

    /// The whole base64 text, copied into wasm: for tests and small bodies only.
    pub async fn base64_text(&self) -> Result<String, String> {
        let whole = self.to_blob("", "")?;
        let text = JsFuture::from(whole.text())
            .await
            .map_err(|e| js_message(&e))?;
        Ok(text.as_string().unwrap_or_default())
    }
}

/// How the bytes are encoded.
enum Encoder {
    /// The browser's `toBase64`, on whole folds gathered in `pending`.
    Native {
        to_base64: Function,
        pending: Uint8Array,
        filled: u32,
    },
    /// The crate's encoder, a chunk at a time; its text gathered in `texts` until a
    /// fold's worth is there.
    Portable {
        encoder: ChunkEncoder,
        buffer: Vec<u8>,
        texts: Array,
        text_len: u32,
    },
}

/// Builds a `Body` from chunks of bytes, encoding and folding as they come.
pub struct BodyBuilder {
    encoder: Encoder,
    folds: Array,
    bytes: u64,
}

impl Default for BodyBuilder {
    /// The browser's encoder where it has one, the crate's otherwise.
    fn default() -> Self {
        match native_to_base64() {
            Some(f) => BodyBuilder::with(Encoder::Native {
                to_base64: f,
                pending: Uint8Array::new_with_length(FOLD_BYTES),
                filled: 0,
            }),
            None => BodyBuilder::portable(),
        }
    }
}

/// `Uint8Array.prototype.toBase64`, when this browser has it.
fn native_to_base64() -> Option<Function> {
    let proto = Reflect::get(&Uint8Array::new_with_length(0), &"constructor".into())
        .and_then(|c| Reflect::get(&c, &"prototype".into()))
        .ok()?;
    Reflect::get(&proto, &"toBase64".into())
        .ok()?
        .dyn_into::<Function>()
        .ok()
}

impl BodyBuilder {
    /// Always the crate's encoder: what a browser without `toBase64` runs (and tests).
    pub fn portable() -> Self {
        BodyBuilder::with(Encoder::Portable {
            encoder: ChunkEncoder::new(),
            buffer: Vec::new(),
            texts: Array::new(),
            text_len: 0,
        })
    }

    fn with(encoder: Encoder) -> Self {
        BodyBuilder {
            encoder,
            folds: Array::new(),
            bytes: 0,
        }
    }

    /// Whether the browser's own encoder is in use.
    pub fn is_native(&self) -> bool {
        matches!(self.encoder, Encoder::Native { .. })
    }

    /// Bytes from wasm (small bodies: an `.eml` Outlook gave as text).
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), String> {
        if self.is_native() {
            self.push_js(&Uint8Array::from(chunk))
        } else {
            self.bytes += chunk.len() as u64;
            self.encode_portable(chunk);
            Ok(())
        }
    }

    /// Bytes still in JS (a chunk of a download).
    pub fn push_js(&mut self, chunk: &Uint8Array) -> Result<(), String> {
        let len = chunk.length();
        self.bytes += u64::from(len);
        match &mut self.encoder {
            Encoder::Native {
                to_base64,
                pending,
                filled,
            } => {
                let mut offset = 0;
                while offset < len {
                    let take = (FOLD_BYTES - *filled).min(len - offset);
                    pending.set(&chunk.subarray(offset, offset + take), *filled);
                    *filled += take;
                    offset += take;
                    if *filled == FOLD_BYTES {
                        let text = encode_native(to_base64, pending)?;
                        *filled = 0;
                        self.folds.push(&fold(&Array::of1(&text)));
                    }
                }
            }
            Encoder::Portable { buffer, .. } => {
                // One reused buffer: the chunk is copied in, encoded, the space used again.
                let mut bytes = std::mem::take(buffer);
                bytes.resize(len as usize, 0);
                chunk.copy_to(&mut bytes);
                self.encode_portable(&bytes);
                if let Encoder::Portable { buffer, .. } = &mut self.encoder {
                    *buffer = bytes;
                }
            }
        }
        Ok(())
    }

    fn encode_portable(&mut self, chunk: &[u8]) {
        if let Encoder::Portable {
            encoder,
            texts,
            text_len,
            ..
        } = &mut self.encoder
        {
            let text = encoder.push(chunk);
            if text.is_empty() {
                return;
            }
            *text_len += text.len() as u32;
            texts.push(&JsValue::from_str(&text));
            if *text_len >= FOLD_BYTES / 3 * 4 {
                self.folds.push(&fold(texts));
                *texts = Array::new();
                *text_len = 0;
            }
        }
    }

    pub fn finish(self, content_type: Option<String>) -> Result<Body, String> {
        let folds = self.folds;
        match self.encoder {
            Encoder::Native {
                to_base64,
                pending,
                filled,
            } => {
                if filled > 0 {
                    folds.push(&encode_native(&to_base64, &pending.subarray(0, filled))?);
                }
            }
            Encoder::Portable { encoder, texts, .. } => {
                let (tail, _) = encoder.finish();
                if !tail.is_empty() {
                    texts.push(&JsValue::from_str(&tail));
                }
                if texts.length() > 0 {
                    folds.push(&fold(&texts));
                }
            }
        }
        Ok(Body {
            parts: folds,
            bytes: self.bytes,
            content_type,
        })
    }
}

/// `bytes.toBase64()`: a string, or why not.
fn encode_native(to_base64: &Function, bytes: &Uint8Array) -> Result<JsValue, String> {
    match to_base64.call0(bytes) {
        Ok(text) if text.is_string() => Ok(text),
        Ok(_) => Err("the browser's base64 encoder gave no text".into()),
        Err(e) => Err(js_message(&e)),
    }
}

/// Strings as one `Blob`: the browser keeps the text, the strings can go.
fn fold(texts: &Array) -> JsValue {
    match Blob::new_with_str_sequence(texts) {
        Ok(b) => b.into(),
        // No Blob (never in a browser): the text is kept as it is.
        Err(_) => texts.join("").into(),
    }
}

/// Reads a fetch body chunk by chunk into `builder`, calling `progress` with the bytes
/// read so far. Fails when the stream errors (a connection cut mid-body).
pub async fn read_stream(
    stream: ReadableStream,
    builder: &mut BodyBuilder,
    progress: &dyn Fn(u64),
) -> Result<(), String> {
    let reader: ReadableStreamDefaultReader = stream.get_reader().unchecked_into();
    let mut total = 0u64;
    loop {
        let result = JsFuture::from(reader.read())
            .await
            .map_err(|e| js_message(&e))?;
        if Reflect::get(&result, &"done".into())
            .ok()
            .and_then(|d| d.as_bool())
            == Some(true)
        {
            return Ok(());
        }
        let chunk: Uint8Array = Reflect::get(&result, &"value".into())
            .map_err(|e| js_message(&e))?
            .unchecked_into();
        builder.push_js(&chunk)?;
        total += u64::from(chunk.length());
        progress(total);
    }
}
