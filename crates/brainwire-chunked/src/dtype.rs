//! Sample types: how a sample's little-endian bytes become a value.

/// The type of every sample of a recording; samples are little-endian in
/// byte slices.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SampleType {
    I8,
    I16,
    U16,
    I32,
}

impl SampleType {
    pub const ALL: [SampleType; 4] = [SampleType::I8, SampleType::I16, SampleType::U16, SampleType::I32];

    /// Bytes per sample.
    pub fn width(self) -> usize {
        match self {
            Self::I8 => 1,
            Self::I16 | Self::U16 => 2,
            Self::I32 => 4,
        }
    }

    /// The header byte naming the type.
    pub fn id(self) -> u8 {
        match self {
            Self::I8 => 1,
            Self::I16 => 2,
            Self::U16 => 3,
            Self::I32 => 4,
        }
    }

    pub fn from_id(id: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.id() == id)
    }

    /// The numpy-style name (`int16`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Self::I8 => "int8",
            Self::I16 => "int16",
            Self::U16 => "uint16",
            Self::I32 => "int32",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.name() == name)
    }

    /// Smallest and largest value.
    pub fn range(self) -> (i64, i64) {
        match self {
            Self::I8 => (i8::MIN.into(), i8::MAX.into()),
            Self::I16 => (i16::MIN.into(), i16::MAX.into()),
            Self::U16 => (0, u16::MAX.into()),
            Self::I32 => (i32::MIN.into(), i32::MAX.into()),
        }
    }

    /// The sample stored in `b` (exactly `width()` bytes).
    #[inline]
    pub fn read(self, b: &[u8]) -> i64 {
        match self {
            Self::I8 => i64::from(b[0] as i8),
            Self::I16 => i64::from(i16::from_le_bytes([b[0], b[1]])),
            Self::U16 => i64::from(u16::from_le_bytes([b[0], b[1]])),
            Self::I32 => i64::from(i32::from_le_bytes([b[0], b[1], b[2], b[3]])),
        }
    }

    /// Stores `v` (within `range()`) into `b` (exactly `width()` bytes).
    #[inline]
    pub fn write(self, v: i64, b: &mut [u8]) {
        match self {
            Self::I8 => b[0] = v as i8 as u8,
            Self::I16 => b.copy_from_slice(&(v as i16).to_le_bytes()),
            Self::U16 => b.copy_from_slice(&(v as u16).to_le_bytes()),
            Self::I32 => b.copy_from_slice(&(v as i32).to_le_bytes()),
        }
    }

    pub fn contains(self, v: i64) -> bool {
        let (lo, hi) = self.range();
        (lo..=hi).contains(&v)
    }
}
