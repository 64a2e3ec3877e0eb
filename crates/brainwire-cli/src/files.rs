//! Finding the files a command works on, and writing results safely.
//!
//! Inputs are files or directories searched recursively for one extension; a
//! recording set can also be a `.zip` archive read into memory. Outputs go to
//! a temporary file beside their destination and are renamed into place, so
//! an interrupted run never leaves a half-written file under the real name,
//! and no command ever writes over one of its inputs.

use crate::fail::{Classify, Exit, Failure, Result};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

/// One input file of a batch command.
#[derive(Clone, Debug)]
pub struct Source {
    pub path: PathBuf,
    /// Path relative to the directory it was found in (or the file name for
    /// a file named directly): its place under an output directory.
    pub relative: PathBuf,
}

/// True when `path` ends with `.ext`, ignoring case.
pub fn has_extension(path: &Path, ext: &str) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case(ext))
}

/// Files named directly, plus every `*.ext` under directories named, in a
/// stable (sorted) order.
pub fn collect(inputs: &[PathBuf], ext: &str) -> Result<Vec<Source>> {
    let mut sources = Vec::new();
    for input in inputs {
        let meta = fs::metadata(input).or_io(|| format!("cannot read '{}'", input.display()))?;
        if meta.is_dir() {
            let mut found = Vec::new();
            walk(input, ext, &mut found)?;
            if found.is_empty() {
                return Err(Failure::usage(format!(
                    "no .{ext} files found in directory '{}'",
                    input.display()
                )));
            }
            found.sort();
            for path in found {
                let relative = path.strip_prefix(input).unwrap_or(&path).to_path_buf();
                sources.push(Source { path, relative });
            }
        } else {
            let relative = PathBuf::from(input.file_name().unwrap_or(input.as_os_str()));
            sources.push(Source {
                path: input.clone(),
                relative,
            });
        }
    }
    Ok(sources)
}

fn walk(dir: &Path, ext: &str, found: &mut Vec<PathBuf>) -> Result<()> {
    let entries =
        fs::read_dir(dir).or_io(|| format!("cannot list directory '{}'", dir.display()))?;
    for entry in entries {
        let entry = entry.or_io(|| format!("cannot list directory '{}'", dir.display()))?;
        let path = entry.path();
        let kind = entry
            .file_type()
            .or_io(|| format!("cannot read '{}'", path.display()))?;
        if kind.is_dir() {
            walk(&path, ext, found)?;
        } else if has_extension(&path, ext) {
            found.push(path);
        }
    }
    Ok(())
}

/// Where each output goes: `out` is the single output file when one input
/// file is named and `out` is not an existing directory (nor ends in `/`);
/// otherwise `out` is a directory that mirrors the inputs' relative paths.
/// Without `out`, outputs go beside their inputs. `rename` maps an input file
/// name to its output file name.
pub fn plan_outputs(
    sources: &[Source],
    single_file_named: bool,
    out: Option<&Path>,
    rename: impl Fn(&str) -> String,
) -> Vec<PathBuf> {
    let renamed = |p: &Path| -> PathBuf {
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        p.with_file_name(rename(&name))
    };
    match out {
        Some(out)
            if single_file_named
                && !out.is_dir()
                && !out
                    .as_os_str()
                    .to_string_lossy()
                    .ends_with(std::path::MAIN_SEPARATOR) =>
        {
            vec![out.to_path_buf()]
        }
        Some(dir) => sources
            .iter()
            .map(|s| dir.join(renamed(&s.relative)))
            .collect(),
        None => sources.iter().map(|s| renamed(&s.path)).collect(),
    }
}

/// Refuses outputs that would replace an input (always) or an existing file
/// (unless `force`), and two inputs writing the same output.
pub fn check_outputs(sources: &[Source], outputs: &[PathBuf], force: bool) -> Result<()> {
    let inputs: std::collections::HashSet<PathBuf> = sources
        .iter()
        .filter_map(|s| fs::canonicalize(&s.path).ok())
        .collect();
    let mut seen = std::collections::HashSet::new();
    for out in outputs {
        if !seen.insert(out.clone()) {
            return Err(Failure::usage(format!(
                "two inputs would both be written to '{}'; use separate runs or an output directory",
                out.display()
            )));
        }
        if let Ok(existing) = fs::canonicalize(out) {
            if inputs.contains(&existing) {
                return Err(Failure::usage(format!(
                    "refusing to overwrite the input '{}' with its own output",
                    out.display()
                )));
            }
            if !force {
                return Err(Failure::usage(format!(
                    "'{}' already exists; pass --force to replace it or -o to write elsewhere",
                    out.display()
                )));
            }
        }
    }
    Ok(())
}

/// Writes `bytes` to `path` through a temporary file in the same directory
/// and a rename, creating missing parent directories.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(parent)
        .or_io(|| format!("cannot create directory '{}'", parent.display()))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = parent.join(format!(".{name}.{}.tmp", std::process::id()));
    let written = fs::write(&temp, bytes).and_then(|()| fs::rename(&temp, path));
    if written.is_err() {
        let _ = fs::remove_file(&temp);
    }
    written.or_io(|| format!("cannot write '{}'", path.display()))
}

/// A recording in memory, named by its path in the set.
pub struct Recording {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Every `*.wav` of a directory (recursively) or a `.zip` archive, in name
/// order.
pub fn load_recordings(path: &Path) -> Result<Vec<Recording>> {
    let meta = fs::metadata(path).or_io(|| format!("cannot read '{}'", path.display()))?;
    let mut recordings = if meta.is_dir() {
        let sources = collect(&[path.to_path_buf()], "wav")?;
        sources
            .into_iter()
            .map(|s| {
                let bytes =
                    fs::read(&s.path).or_io(|| format!("cannot read '{}'", s.path.display()))?;
                Ok(Recording {
                    name: s.relative.to_string_lossy().into_owned(),
                    bytes,
                })
            })
            .collect::<Result<Vec<_>>>()?
    } else if has_extension(path, "zip") {
        load_zip(path)?
    } else {
        let bytes = fs::read(path).or_io(|| format!("cannot read '{}'", path.display()))?;
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        vec![Recording { name, bytes }]
    };
    recordings.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(recordings)
}

fn load_zip(path: &Path) -> Result<Vec<Recording>> {
    let bytes = fs::read(path).or_io(|| format!("cannot read '{}'", path.display()))?;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .or_bad(|| format!("'{}' is not a readable zip archive", path.display()))?;
    let mut recordings = Vec::new();
    for i in 0..archive.len() {
        let mut entry = archive
            .by_index(i)
            .or_bad(|| format!("'{}': entry {i} is damaged", path.display()))?;
        if !entry.is_file() || !has_extension(Path::new(entry.name()), "wav") {
            continue;
        }
        let name = entry.name().to_string();
        let mut bytes = Vec::with_capacity(entry.size() as usize);
        entry
            .read_to_end(&mut bytes)
            .or_bad(|| format!("'{}': cannot unpack '{name}'", path.display()))?;
        recordings.push(Recording { name, bytes });
    }
    if recordings.is_empty() {
        return Err(Failure::new(
            Exit::Usage,
            anyhow::anyhow!("no .wav files found in archive '{}'", path.display()),
        ));
    }
    Ok(recordings)
}
