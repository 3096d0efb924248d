//! An attachment's content on its way to iMIS: base64 text kept as a list of JS
//! strings (outside wasm memory), joined into one `Blob` with the document's JSON
//! around it only when it is sent.

use js_sys::{Array, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, BlobPropertyBag, ReadableStream, ReadableStreamDefaultReader};

use crate::encode::ChunkEncoder;
use crate::http::js_message;

pub struct Body {
    /// Base64 text, in order.
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
        let parts = Array::new();
        parts.push(&text);
        Body {
            parts,
            bytes,
            content_type,
        }
    }

    /// The upload: `head`, the base64 parts, `tail`, as one `Blob`.
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
    pub fn base64_text(&self) -> String {
        self.parts.iter().filter_map(|p| p.as_string()).collect()
    }
}

/// Builds a `Body` from chunks of bytes: each chunk is encoded and handed to JS at once.
pub struct BodyBuilder {
    encoder: ChunkEncoder,
    parts: Array,
}

impl Default for BodyBuilder {
    fn default() -> Self {
        BodyBuilder {
            encoder: ChunkEncoder::new(),
            parts: Array::new(),
        }
    }
}

impl BodyBuilder {
    pub fn push(&mut self, chunk: &[u8]) {
        let text = self.encoder.push(chunk);
        if !text.is_empty() {
            self.parts.push(&JsValue::from_str(&text));
        }
    }

    pub fn finish(self, content_type: Option<String>) -> Body {
        let (tail, bytes) = self.encoder.finish();
        if !tail.is_empty() {
            self.parts.push(&JsValue::from_str(&tail));
        }
        Body {
            parts: self.parts,
            bytes,
            content_type,
        }
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
    let mut buffer = Vec::new();
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
        // One reused buffer: the chunk is copied in, encoded, and the space used again.
        buffer.resize(chunk.length() as usize, 0);
        chunk.copy_to(&mut buffer);
        builder.push(&buffer);
        total += buffer.len() as u64;
        progress(total);
    }
}
