//! `body::BodyBuilder` in headless Chromium: it gives the base64 crate's text for any
//! chunking, across fold boundaries, from a fetch body (read into its buffer) or a
//! plain stream, and the upload `Blob` is that text between its head and tail. Needs
//! no stand-in.
#![cfg(target_arch = "wasm32")]

use base64::{engine::general_purpose::STANDARD, Engine};
use js_sys::Uint8Array;
use save_to_imis::body::{BodyBuilder, FOLD_BYTES};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn data(len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect()
}

/// `bytes` pushed from JS in chunks of the given sizes (repeated), then finished.
async fn encoded(mut builder: BodyBuilder, bytes: &[u8], sizes: &[usize]) -> String {
    let mut rest = bytes;
    for &n in sizes.iter().cycle() {
        if rest.is_empty() {
            break;
        }
        let (chunk, tail) = rest.split_at(n.min(rest.len()));
        builder.push_js(&Uint8Array::from(chunk)).unwrap();
        rest = tail;
    }
    let body = builder.finish(None).unwrap();
    assert_eq!(body.bytes, bytes.len() as u64);
    body.base64_text().await.unwrap()
}

#[wasm_bindgen_test]
async fn any_chunking_gives_the_whole_base64_across_folds() {
    let fold = FOLD_BYTES as usize;
    for len in [0, 1, 2, 3, 4, fold - 1, fold, fold + 1, 2 * fold + 2] {
        let bytes = data(len);
        let want = STANDARD.encode(&bytes);
        for sizes in [&[65_536][..], &[1, 2, 65_537], &[fold + 5], &[fold - 1, 7]] {
            let got = encoded(BodyBuilder::default(), &bytes, sizes).await;
            assert!(
                got == want,
                "{len} bytes in chunks of {sizes:?}: {} chars, want {}",
                got.len(),
                want.len()
            );
        }
    }
}

#[wasm_bindgen_test]
async fn bytes_from_wasm_and_the_upload_blob() {
    let mut b = BodyBuilder::default();
    b.push(b"Subject: hi\r\n\r\n").unwrap();
    b.push("✓ body".as_bytes()).unwrap();
    let body = b.finish(Some("message/rfc822".into())).unwrap();
    let blob = body.to_blob("{\"Data\":\"", "\"}").unwrap();
    let text = JsFuture::from(blob.text())
        .await
        .unwrap()
        .as_string()
        .unwrap();
    let want = STANDARD.encode("Subject: hi\r\n\r\n✓ body".as_bytes());
    assert_eq!(text, format!("{{\"Data\":\"{want}\"}}"));
    assert_eq!(blob.type_(), "application/json");
}

/// A fetch body (a byte stream: read with a BYOB reader) and a plain stream of chunks
/// (read chunk by chunk) give the same text, across folds; progress ends at the size.
#[wasm_bindgen_test]
async fn downloads_read_into_the_buffer_or_by_chunks() {
    use js_sys::Function;
    use save_to_imis::body::read_stream;
    use std::cell::Cell;
    let bytes = data(2 * FOLD_BYTES as usize + 12_345);
    let want = STANDARD.encode(&bytes);
    let byte_stream = Function::new_with_args("b", "return new Response(b).body");
    let chunk_stream = Function::new_with_args(
        "b",
        "let at = 0; return new ReadableStream({ pull(c) { \
           if (at >= b.length) { c.close(); return; } \
           c.enqueue(b.slice(at, at + 100003)); at += 100003; } })",
    );
    // Which reader each gets: a fetch body is a byte stream, the other is not.
    let byob = |f: &Function| {
        let s = f
            .call1(&JsValue::NULL, &Uint8Array::new_with_length(1))
            .unwrap();
        web_sys::ReadableStreamByobReader::new(&s.unchecked_into()).is_ok()
    };
    assert!(byob(&byte_stream) && !byob(&chunk_stream));
    for (name, make) in [("byob", byte_stream), ("chunks", chunk_stream)] {
        let mut b = BodyBuilder::default();
        let stream = make
            .call1(&JsValue::NULL, &Uint8Array::from(&bytes[..]))
            .unwrap();
        let seen = Cell::new(0u64);
        read_stream(stream.unchecked_into(), &mut b, &|n| seen.set(n))
            .await
            .unwrap();
        assert_eq!(seen.get(), bytes.len() as u64, "{name}: progress");
        let got = b.finish(None).unwrap().base64_text().await.unwrap();
        assert!(
            got == want,
            "{name}: {} chars, want {}",
            got.len(),
            want.len()
        );
    }
}
