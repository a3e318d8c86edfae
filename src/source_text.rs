//! A scanned file's text as the report keeps it. Only files with something to report ever
//! show their text again, so after lowering each text is kept LZ4-compressed (about a third of
//! its size on PHP) and decompressed the first time a report reads it.

use std::borrow::Cow;
use std::sync::{Arc, OnceLock};

/// Below this size a text is kept as it is: compression would save too little to pay for it.
const PACK_FROM: usize = 2048;

/// Bytes held LZ4-compressed when that pays: a file's contents between reading and
/// lowering, so that a tree's worth of files never sits in memory at once.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Packed {
    /// The LZ4 block, or the bytes themselves when `compressed` is false.
    block: Box<[u8]>,
    /// The bytes' length.
    len: usize,
    compressed: bool,
}

impl Packed {
    /// Hold `bytes`, compressed when that saves a quarter or more.
    pub fn new(bytes: Vec<u8>) -> Packed {
        if bytes.len() >= PACK_FROM {
            let block = lz4_flex::block::compress(&bytes);
            if block.len() < bytes.len() / 4 * 3 {
                return Packed {
                    block: block.into_boxed_slice(),
                    len: bytes.len(),
                    compressed: true,
                };
            }
        }
        Packed {
            len: bytes.len(),
            block: bytes.into_boxed_slice(),
            compressed: false,
        }
    }

    /// The bytes held. The block was compressed here from exactly `len` bytes, so it
    /// decompresses to them; `None` should that ever fail (callers say so, never guess).
    pub fn unpack(&self) -> Option<Cow<'_, [u8]>> {
        if self.compressed {
            lz4_flex::block::decompress(&self.block, self.len)
                .ok()
                .filter(|b| b.len() == self.len)
                .map(Cow::Owned)
        } else {
            Some(Cow::Borrowed(&self.block))
        }
    }

    /// The length of the bytes held, without unpacking them.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no bytes are held.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Bytes of memory this takes.
    pub fn held(&self) -> usize {
        self.block.len()
    }
}

impl PartialEq<[u8]> for Packed {
    fn eq(&self, other: &[u8]) -> bool {
        self.unpack().is_some_and(|b| *b == *other)
    }
}

/// A file's text: compressed until first read, then kept.
#[derive(Debug, Default)]
pub struct SourceText {
    /// The text's bytes while not read (empty once `text` is set from the start).
    packed: Packed,
    text: OnceLock<Arc<str>>,
}

impl SourceText {
    /// Keep `text`, compressed when that saves memory.
    pub fn new(text: String) -> SourceText {
        SourceText::from_utf8(Packed::new(text.into_bytes()))
    }

    /// Keep `packed`, which holds UTF-8 (a file's bytes that decoded to themselves).
    pub fn from_utf8(packed: Packed) -> SourceText {
        if packed.compressed {
            return SourceText {
                packed,
                text: OnceLock::new(),
            };
        }
        SourceText::plain(lossy_utf8(packed.block.into_vec()))
    }

    /// Keep `text` as it is.
    pub fn plain(text: String) -> SourceText {
        SourceText {
            packed: Packed {
                len: text.len(),
                ..Packed::default()
            },
            text: OnceLock::from(Arc::<str>::from(text)),
        }
    }

    /// The text (decompressed on first use, then kept).
    pub fn get(&self) -> &str {
        self.text.get_or_init(|| {
            // Only UTF-8 is ever packed as a text, and it unpacks; a lossy decode (and an empty
            // text, should unpacking ever fail) keeps this total all the same.
            let bytes = self
                .packed
                .unpack()
                .map(Cow::into_owned)
                .unwrap_or_default();
            Arc::from(lossy_utf8(bytes))
        })
    }

    /// The text's length in bytes, without decompressing it.
    pub fn len(&self) -> usize {
        self.packed.len
    }

    /// Whether the text is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes held now: the compressed block, and the text if it has been read.
    pub fn held(&self) -> usize {
        self.packed.held() + self.text.get().map_or(0, |t| t.len())
    }
}

/// `bytes` as text; they are UTF-8 wherever this is called, and a lossy decode keeps it total.
fn lossy_utf8(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_text_is_held_compressed_and_read_back_exactly() {
        let text: String = (0..400)
            .map(|i| format!("$rows[] = sql_fetch(\"select * from iw_item where id = {i}\");\n"))
            .collect();
        let kept = SourceText::new(text.clone());
        assert!(
            kept.held() < text.len() / 3,
            "{} of {}",
            kept.held(),
            text.len()
        );
        assert_eq!(kept.len(), text.len());
        assert_eq!(kept.get(), text);
        assert_eq!(kept.get(), text, "read twice");
    }

    #[test]
    fn small_or_incompressible_texts_are_kept_plain() {
        let small = SourceText::new("<?php echo 1;".to_string());
        assert_eq!(small.get(), "<?php echo 1;");
        assert_eq!(small.held(), 13);
        // Multi-byte text that does not repeat: compression would not pay.
        let mut x: u64 = 7;
        let noise: String = (0..4000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                char::from_u32(0xAC00 + (x % 11000) as u32).unwrap_or('가')
            })
            .collect();
        let kept = SourceText::new(noise.clone());
        assert_eq!(kept.held(), noise.len());
        assert_eq!(kept.get(), noise);
    }

    #[test]
    fn packed_bytes_unpack_to_themselves() {
        let bytes: Vec<u8> = b"<?php $sql = \"select * from iw_member\";\n".repeat(100);
        let packed = Packed::new(bytes.clone());
        assert!(packed.held() < bytes.len() / 4);
        assert_eq!(packed.len(), bytes.len());
        assert!(packed == *bytes.as_slice());
        let text = SourceText::from_utf8(packed);
        assert_eq!(text.get().as_bytes(), bytes.as_slice());
        assert_eq!(*Packed::new(b"short".to_vec()).unpack().unwrap(), *b"short");
    }
}
