//! LEB128 varints (7 bits a byte, low group first, high bit = more) and the
//! zigzag map for signed values.

use crate::error::Error;

pub fn put_u64(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

pub fn put_i64(out: &mut Vec<u8>, v: i64) {
    put_u64(out, ((v << 1) ^ (v >> 63)) as u64);
}

/// Reads values from a byte slice, refusing overlong or truncated ones.
pub struct Cursor<'a> {
    pub bytes: &'a [u8],
    pub pos: usize,
}

impl<'a> Cursor<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, pos: 0 }
    }

    pub fn u64(&mut self) -> Result<u64, Error> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = *self.bytes.get(self.pos).ok_or_else(|| Error::malformed("a varint runs past its substream"))?;
            self.pos += 1;
            if shift == 63 && b > 1 {
                break;
            }
            v |= u64::from(b & 0x7F) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(Error::malformed("a varint is longer than 64 bits"))
    }

    pub fn i64(&mut self) -> Result<i64, Error> {
        let u = self.u64()?;
        Ok((u >> 1) as i64 ^ -((u & 1) as i64))
    }

    pub fn u8(&mut self) -> Result<u8, Error> {
        let b = *self.bytes.get(self.pos).ok_or_else(|| Error::malformed("a substream ends inside its header"))?;
        self.pos += 1;
        Ok(b)
    }

    pub fn rest(&self) -> &'a [u8] {
        &self.bytes[self.pos..]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_round_trip() {
        for v in [0i64, 1, -1, 63, -64, 64, 1 << 40, i64::MIN, i64::MAX] {
            let mut b = Vec::new();
            put_i64(&mut b, v);
            assert_eq!(Cursor::new(&b).i64().unwrap(), v);
        }
        for v in [0u64, 127, 128, u64::MAX] {
            let mut b = Vec::new();
            put_u64(&mut b, v);
            let mut c = Cursor::new(&b);
            assert_eq!(c.u64().unwrap(), v);
            assert_eq!(c.pos, b.len());
        }
        assert!(Cursor::new(&[0x80]).u64().is_err());
        assert!(Cursor::new(&[0xFF; 11]).u64().is_err());
    }
}
