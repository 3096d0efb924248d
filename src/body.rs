//! An attachment's content on its way to iMIS: base64 text, folded into `Blob`s every
//! few MiB as it is made, joined into one `Blob` with the document's JSON around it
//! only when it is sent.
//!
//! The bytes are gathered in one reused 1 MiB JS buffer: a download reads straight into
//! it where the browser can (a BYOB reader on the fetch body), so no chunk is left
//! behind as garbage. Each full buffer is copied into wasm, encoded there into a reused
//! buffer (src/encode.rs) and handed to a `Blob` as bytes, so the browser holds one
//! copy of the text and nothing waits for the garbage collector.
//!
//! Why not the browser's `Uint8Array.prototype.toBase64`: it is faster, but it makes a
//! string of each fold, and those strings stay in the pane's heap until a full garbage
//! collection: measured with `npm run bench` saving 150 MiB, the pane's process grew by
//! about 190 MiB more with it, for no gain in time (the save waits on the network).

use js_sys::{Array, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, BlobPropertyBag, ReadableStream, ReadableStreamByobReader};
use web_sys::{ReadableStreamDefaultReader, ReadableStreamReadResult};

use crate::encode::{base64_bytes_into, base64_encode};
use crate::http::js_message;

/// Bytes encoded at a time and folded into one `Blob`: about 1 MiB (its buffers are
/// all the memory a download needs in the pane), and a multiple of 3, so every fold's
/// base64 but the last ends without padding and the folds join into one text.
pub const FOLD_BYTES: u32 = 3 * 341 * 1024;

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

/// Builds a `Body` from bytes, encoding and folding as they come.
pub struct BodyBuilder {
    /// The bytes not yet encoded: `pending[..filled]`.
    pending: Uint8Array,
    filled: u32,
    /// Wasm buffers reused for every fold: its bytes, and their base64.
    input: Vec<u8>,
    output: Vec<u8>,
    folds: Array,
    bytes: u64,
}

impl Default for BodyBuilder {
    fn default() -> Self {
        BodyBuilder {
            pending: Uint8Array::new_with_length(FOLD_BYTES),
            filled: 0,
            input: Vec::new(),
            output: Vec::new(),
            folds: Array::new(),
            bytes: 0,
        }
    }
}

impl BodyBuilder {
    /// Bytes from wasm (small bodies: an `.eml` Outlook gave as text).
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), String> {
        self.push_js(&Uint8Array::from(chunk))
    }

    /// Bytes in JS (a chunk of a download), copied into the buffer.
    pub fn push_js(&mut self, chunk: &Uint8Array) -> Result<(), String> {
        let len = chunk.length();
        let mut offset = 0;
        while offset < len {
            let take = (FOLD_BYTES - self.filled).min(len - offset);
            self.pending
                .set(&chunk.subarray(offset, offset + take), self.filled);
            offset += take;
            self.added(take)?;
        }
        Ok(())
    }

    /// `count` more bytes are in the buffer; encodes it when full.
    fn added(&mut self, count: u32) -> Result<(), String> {
        self.filled += count;
        self.bytes += u64::from(count);
        if self.filled == FOLD_BYTES {
            let text = self.encode(FOLD_BYTES)?;
            self.folds.push(&text);
            self.filled = 0;
        }
        Ok(())
    }

    /// The base64 of `pending[..len]` (padded), as a `Blob`.
    fn encode(&mut self, len: u32) -> Result<JsValue, String> {
        let (input, output) = (&mut self.input, &mut self.output);
        input.resize(len as usize, 0);
        self.pending.subarray(0, len).copy_to(input);
        let whole = input.len() / 3 * 3;
        output.clear();
        base64_bytes_into(&input[..whole], output);
        output.extend_from_slice(base64_encode(&input[whole..]).as_bytes());
        // Safety: nothing allocates in wasm between the view and the Blob's copy of it.
        let view = unsafe { Uint8Array::view(output) };
        Blob::new_with_u8_array_sequence(&Array::of1(&view))
            .map(Into::into)
            .map_err(|e| js_message(&e))
    }

    pub fn finish(mut self, content_type: Option<String>) -> Result<Body, String> {
        if self.filled > 0 {
            let text = self.encode(self.filled)?;
            self.folds.push(&text);
        }
        Ok(Body {
            parts: self.folds,
            bytes: self.bytes,
            content_type,
        })
    }
}

/// Reads a fetch body into `builder`, calling `progress` with the bytes read so far:
/// straight into its buffer where the stream allows it (a byte stream's BYOB reader),
/// chunk by chunk otherwise. Fails when the stream errors (a connection cut mid-body).
pub async fn read_stream(
    stream: ReadableStream,
    builder: &mut BodyBuilder,
    progress: &dyn Fn(u64),
) -> Result<(), String> {
    match ReadableStreamByobReader::new(&stream) {
        Ok(reader) => read_into(&reader, builder, progress).await,
        Err(_) => read_chunks(stream, builder, progress).await,
    }
}

async fn read_into(
    reader: &ReadableStreamByobReader,
    builder: &mut BodyBuilder,
    progress: &dyn Fn(u64),
) -> Result<(), String> {
    loop {
        let room = builder.pending.subarray(builder.filled, FOLD_BYTES);
        let result: ReadableStreamReadResult =
            JsFuture::from(reader.read_with_array_buffer_view(&room))
                .await
                .map_err(|e| js_message(&e))?
                .unchecked_into();
        // The buffer was handed to the stream and comes back in `value` (the old view
        // is detached), also when the stream is done.
        let value = result.get_value();
        match value.dyn_ref::<Uint8Array>() {
            Some(view) => {
                builder.pending = Uint8Array::new(&view.buffer());
                builder.added(view.length())?;
            }
            // Only a cancelled stream keeps the buffer: what it held is gone.
            None if builder.filled > 0 => {
                return Err("the download stopped before its content was read".into())
            }
            None => builder.pending = Uint8Array::new_with_length(FOLD_BYTES),
        }
        if result.get_done() == Some(true) {
            return Ok(());
        }
        progress(builder.bytes);
    }
}

async fn read_chunks(
    stream: ReadableStream,
    builder: &mut BodyBuilder,
    progress: &dyn Fn(u64),
) -> Result<(), String> {
    let reader: ReadableStreamDefaultReader = stream.get_reader().unchecked_into();
    loop {
        let result: ReadableStreamReadResult = JsFuture::from(reader.read())
            .await
            .map_err(|e| js_message(&e))?
            .unchecked_into();
        if result.get_done() == Some(true) {
            return Ok(());
        }
        let chunk: Uint8Array = result.get_value().unchecked_into();
        builder.push_js(&chunk)?;
        progress(builder.bytes);
    }
}
