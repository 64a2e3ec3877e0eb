//! `brainwire_codec._native`: the thin pyo3 layer over `brainwire-chunked`.
//!
//! It moves bytes only: the Python side (`src/brainwire_codec/_array.py`) turns
//! any accepted ndarray into a C-contiguous (frames, channels) array of a
//! native integer type and keeps shape, order and byte order in the stream's
//! metadata. Samples are borrowed from numpy without a copy, decoded samples
//! become a numpy array without a copy, and the GIL is released while coding.

use brainwire_chunked::{ArrayInfo, EncodeOptions, LatticeMode, SampleType};
use brainwire_core::Profile;
use numpy::{
    PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray1, PyUntypedArray, PyUntypedArrayMethods,
};
use pyo3::create_exception;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

create_exception!(
    _native,
    BrainwireError,
    PyValueError,
    "A brainwire stream could not be coded: ill-formed, unsupported, or an I/O failure."
);

fn to_py_err(e: brainwire_chunked::Error) -> PyErr {
    BrainwireError::new_err(e.to_string())
}

fn dtype_name(t: SampleType) -> &'static str {
    match t {
        SampleType::I8 => "int8",
        SampleType::I16 => "int16",
        SampleType::U16 => "uint16",
        SampleType::I32 => "int32",
    }
}

fn parse_profile(name: Option<&str>) -> PyResult<Option<Profile>> {
    let Some(name) = name else { return Ok(None) };
    Profile::ALL
        .into_iter()
        .find(|p| p.name() == name)
        .map(Some)
        .ok_or_else(|| {
            PyValueError::new_err(format!(
                "unknown brainwire profile {name:?} (known: {})",
                profile_names().join(", ")
            ))
        })
}

fn profile_names() -> Vec<&'static str> {
    Profile::ALL.into_iter().map(Profile::name).collect()
}

/// Names of the profiles this build can encode, in the core's order.
#[pyfunction]
fn profiles() -> Vec<&'static str> {
    profile_names()
}

/// The samples of a C-contiguous 2-D integer array as little-endian bytes:
/// borrowed on little-endian hosts, copied on big-endian ones.
enum SampleBytes<'a> {
    #[cfg_attr(target_endian = "big", allow(dead_code))]
    Borrowed(&'a [u8]),
    #[cfg_attr(target_endian = "little", allow(dead_code))]
    Owned(Vec<u8>),
}

impl SampleBytes<'_> {
    fn as_slice(&self) -> &[u8] {
        match self {
            Self::Borrowed(b) => b,
            Self::Owned(v) => v,
        }
    }
}

macro_rules! le_bytes_of {
    ($slice:expr, $t:ty) => {{
        let s: &[$t] = $slice;
        #[cfg(target_endian = "little")]
        {
            // SAFETY: plain integers have no padding and every byte pattern is a
            // valid u8; the length is the slice's size in bytes.
            SampleBytes::Borrowed(unsafe {
                std::slice::from_raw_parts(s.as_ptr().cast::<u8>(), std::mem::size_of_val(s))
            })
        }
        #[cfg(target_endian = "big")]
        {
            SampleBytes::Owned(s.iter().flat_map(|v| v.to_le_bytes()).collect())
        }
    }};
}

/// Encodes a C-contiguous (frames, channels) array of int8, int16, uint16 or
/// int32 into one brainwire-chunked stream.
#[pyfunction]
#[pyo3(signature = (samples, *, profile=None, lattice="auto", lattice_step=None, lattice_offset=0,
                    chunk_frames=None, checksum=true, threads=0, rate_hz=None, metadata=Vec::new()))]
#[allow(clippy::too_many_arguments)]
fn encode_interleaved<'py>(
    py: Python<'py>,
    samples: &Bound<'py, PyUntypedArray>,
    profile: Option<&str>,
    lattice: &str,
    lattice_step: Option<u32>,
    lattice_offset: i32,
    chunk_frames: Option<usize>,
    checksum: bool,
    threads: usize,
    rate_hz: Option<f64>,
    metadata: Vec<u8>,
) -> PyResult<Bound<'py, PyBytes>> {
    let lattice = match (lattice, lattice_step) {
        ("auto", None) => LatticeMode::Auto,
        ("identity", None) => LatticeMode::Identity,
        ("step", Some(step)) => LatticeMode::Step {
            step,
            offset: lattice_offset,
        },
        _ => {
            return Err(PyValueError::new_err(format!(
                "lattice must be 'auto', 'identity' or 'step' with lattice_step, got {lattice:?}"
            )))
        }
    };
    let opts = EncodeOptions {
        profile: parse_profile(profile)?,
        chunk_frames,
        lattice,
        checksum,
        threads,
        rate_hz,
        metadata,
    };
    if samples.ndim() != 2 || !samples.is_c_contiguous() {
        return Err(PyTypeError::new_err(
            "samples must be a C-contiguous 2-D array",
        ));
    }
    let channels = samples.shape()[1];

    macro_rules! encode_as {
        ($t:ty, $st:expr) => {
            if let Ok(a) = samples.cast::<PyArray2<$t>>() {
                let ro = a.readonly();
                let slice = ro
                    .as_slice()
                    .map_err(|e| PyTypeError::new_err(e.to_string()))?;
                let bytes = le_bytes_of!(slice, $t);
                let stream = py
                    .detach(|| {
                        brainwire_chunked::encode_interleaved(
                            bytes.as_slice(),
                            $st,
                            channels,
                            &opts,
                        )
                    })
                    .map_err(to_py_err)?;
                return Ok(PyBytes::new(py, &stream));
            }
        };
    }
    encode_as!(i8, SampleType::I8);
    encode_as!(i16, SampleType::I16);
    encode_as!(u16, SampleType::U16);
    encode_as!(i32, SampleType::I32);
    Err(PyTypeError::new_err(format!(
        "brainwire codes int8, int16, uint16 and int32 samples, not {}",
        samples.dtype()
    )))
}

/// (dtype name, frames, channels, rate_hz, metadata) of a stream's header.
type InfoTuple = (&'static str, u64, u32, Option<f64>, Vec<u8>);

fn info_tuple(info: ArrayInfo) -> InfoTuple {
    (
        dtype_name(info.dtype),
        info.frames,
        info.channels,
        info.rate_hz,
        info.metadata,
    )
}

/// Reads a stream's header without decoding its samples.
#[pyfunction]
fn read_info(stream: PyReadonlyArray1<'_, u8>) -> PyResult<InfoTuple> {
    let s = stream
        .as_slice()
        .map_err(|e| PyTypeError::new_err(e.to_string()))?;
    brainwire_chunked::read_info(s)
        .map(info_tuple)
        .map_err(to_py_err)
}

/// Decodes a whole stream: its header and its interleaved little-endian
/// samples as a 1-D uint8 array that owns the decoder's buffer.
#[pyfunction]
#[pyo3(signature = (stream, *, threads=0))]
fn decode_interleaved<'py>(
    py: Python<'py>,
    stream: PyReadonlyArray1<'py, u8>,
    threads: usize,
) -> PyResult<(InfoTuple, Bound<'py, PyArray1<u8>>)> {
    let s = stream
        .as_slice()
        .map_err(|e| PyTypeError::new_err(e.to_string()))?;
    let (info, samples) = py
        .detach(|| brainwire_chunked::decode_interleaved(s, threads))
        .map_err(to_py_err)?;
    Ok((info_tuple(info), PyArray1::from_vec(py, samples)))
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("BrainwireError", m.py().get_type::<BrainwireError>())?;
    m.add_function(wrap_pyfunction!(profiles, m)?)?;
    m.add_function(wrap_pyfunction!(encode_interleaved, m)?)?;
    m.add_function(wrap_pyfunction!(decode_interleaved, m)?)?;
    m.add_function(wrap_pyfunction!(read_info, m)?)?;
    Ok(())
}
