//! Where coded bytes go: every encoder writes through a [`ByteSink`], so the
//! core needs no allocator and a caller chooses the storage (a `Vec` with the
//! `alloc` feature, a fixed buffer on an implant, a counter to measure).

/// Where encoded bytes go.
pub trait ByteSink {
    /// Appends one byte.
    fn put(&mut self, byte: u8);

    /// Appends bytes.
    #[inline]
    fn put_slice(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.put(b);
        }
    }

    /// Appends two bytes (the `lite` bit writer's unit).
    #[inline]
    fn put2(&mut self, bytes: [u8; 2]) {
        self.put(bytes[0]);
        self.put(bytes[1]);
    }
}

#[cfg(feature = "alloc")]
impl ByteSink for alloc::vec::Vec<u8> {
    #[inline]
    fn put(&mut self, byte: u8) {
        self.push(byte);
    }

    #[inline]
    fn put_slice(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }

    #[inline]
    fn put2(&mut self, bytes: [u8; 2]) {
        self.extend_from_slice(&bytes);
    }
}

/// Counts bytes instead of storing them: for measuring a stream's size.
#[derive(Default, Debug, Clone, Copy)]
pub struct ByteCounter(pub u64);

impl ByteSink for ByteCounter {
    #[inline]
    fn put(&mut self, _byte: u8) {
        self.0 += 1;
    }
}
