//! `body::BodyBuilder` in headless Chromium: the browser's `toBase64` and the crate's
//! encoder give the base64 crate's text for any chunking, across fold boundaries, and
//! the upload `Blob` is that text between its head and tail. Needs no stand-in.
#![cfg(target_arch = "wasm32")]

use base64::{engine::general_purpose::STANDARD, Engine};
use js_sys::Uint8Array;
use save_to_imis::body::{BodyBuilder, FOLD_BYTES};
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
fn this_chromium_has_the_native_encoder() {
    // The fast path is what these tests and the benchmark measure here.
    assert!(BodyBuilder::default().is_native());
    assert!(!BodyBuilder::portable().is_native());
}

#[wasm_bindgen_test]
async fn both_encoders_give_the_whole_base64_across_folds() {
    let fold = FOLD_BYTES as usize;
    for len in [0, 1, 2, 3, 4, fold - 1, fold, fold + 1, 2 * fold + 2] {
        let bytes = data(len);
        let want = STANDARD.encode(&bytes);
        for sizes in [&[65_536][..], &[1, 2, 65_537], &[fold + 5], &[fold - 1, 7]] {
            for (name, builder) in [
                ("native", BodyBuilder::default()),
                ("portable", BodyBuilder::portable()),
            ] {
                let got = encoded(builder, &bytes, sizes).await;
                assert!(
                    got == want,
                    "{name}, {len} bytes in chunks of {sizes:?}: {} chars, want {}",
                    got.len(),
                    want.len()
                );
            }
        }
    }
}

#[wasm_bindgen_test]
async fn bytes_from_wasm_and_the_upload_blob() {
    for mut b in [BodyBuilder::default(), BodyBuilder::portable()] {
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
}
