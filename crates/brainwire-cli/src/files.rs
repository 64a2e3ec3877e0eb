//! Finding the files a command works on, and writing results safely.
//!
//! Inputs are files or directories searched recursively for one extension
//! (only regular files: a FIFO or device found in a directory is counted and
//! skipped, never opened), `-` for standard input, or, for a recording set, a
//! `.zip` archive read into memory.
//!
//! Outputs ([`write_output`]): `-` is standard output; a device, a FIFO or a
//! link to one is written in place and never replaced; anything else is
//! written to a temporary file created exclusively in the destination's
//! directory, flushed to disk, and renamed into place without replacing
//! what is there (unless `--force`), then the directory is flushed. So an
//! interrupted run never leaves a half-written file under the real name, two
//! runs never silently overwrite each other, and no command ever writes over
//! one of its inputs. Temporary names are short (`.bw-<pid>-<random>.tmp`)
//! so they fit beside any valid name, and [`clean_stale_temps`] removes
//! those whose process is gone.

use crate::fail::{Classify, Exit, Failure, Result};
use crate::out::errln;
use std::ffi::{OsStr, OsString};
use std::fs;
use std::io::{Read, Write};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// The name that means standard input (as an input) or output (as `-o`).
pub const STDIO: &str = "-";

/// Prefix and suffix of this tool's temporary files.
const TEMP_PREFIX: &str = ".bw-";
const TEMP_SUFFIX: &str = ".tmp";

/// A temporary file this old is stale even if a process with its pid runs
/// (pids are reused): outputs are written in one go once coded, so a live
/// writer never leaves its temporary file untouched this long.
const STALE_TEMP_AGE: Duration = Duration::from_secs(3600);

/// Size of the reads that fill an input, so a large file reports progress.
const READ_CHUNK_BYTES: usize = 4 << 20;

/// True when `path` is `-`: standard input or output.
pub fn is_stdio(path: &Path) -> bool {
    path.as_os_str() == STDIO
}

/// One input file of a batch command.
#[derive(Clone, Debug)]
pub struct Source {
    pub path: PathBuf,
    /// Path relative to the directory it was found in (or the file name for
    /// a file named directly): its place under an output directory.
    pub relative: PathBuf,
    /// Size when it was found (0 for standard input): the progress weight.
    pub len: u64,
    /// Found by a directory search (so it must be a regular file), rather
    /// than named by the user.
    pub found_in_dir: bool,
}

/// What a directory search passed over, for the batch summary.
#[derive(Clone, Debug, Default)]
pub struct Skipped {
    /// Regular files without the extension searched for.
    pub other_files: usize,
    /// FIFOs, devices and sockets (and links to them) with the extension:
    /// opening them could block forever, so they are not opened.
    pub not_regular: Vec<PathBuf>,
}

impl Skipped {
    /// "; skipped 2 files that are not .wav and 1 FIFO/device ('d/x.wav')",
    /// or "" when nothing was skipped.
    pub fn describe(&self, ext: &str) -> String {
        let mut parts = Vec::new();
        match self.other_files {
            0 => {}
            1 => parts.push(format!("1 file that is not .{ext}")),
            n => parts.push(format!("{n} files that are not .{ext}")),
        }
        if let Some(first) = self.not_regular.first() {
            let n = self.not_regular.len();
            let more = if n > 1 { format!(" and {} more", n - 1) } else { String::new() };
            parts.push(format!(
                "{n} FIFO/device/socket not opened ('{}'{more})",
                first.display()
            ));
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("; skipped {}", parts.join(" and "))
        }
    }
}

/// True when `path` ends with `.ext`, ignoring ASCII case (any bytes before).
pub fn has_extension(path: &Path, ext: &str) -> bool {
    path.extension()
        .is_some_and(|e| e.as_bytes().eq_ignore_ascii_case(ext.as_bytes()))
}

/// Files named directly, plus every `*.ext` under directories named, in a
/// stable (sorted) order.
#[allow(dead_code)] // the API for callers that do not report skips
pub fn collect(inputs: &[PathBuf], ext: &str) -> Result<Vec<Source>> {
    collect_counting(inputs, ext).map(|(sources, _)| sources)
}

/// [`collect`], also telling what the directory searches skipped.
pub fn collect_counting(inputs: &[PathBuf], ext: &str) -> Result<(Vec<Source>, Skipped)> {
    let mut sources = Vec::new();
    let mut skipped = Skipped::default();
    for input in inputs {
        if is_stdio(input) {
            if sources.iter().any(|s: &Source| is_stdio(&s.path)) {
                return Err(Failure::usage("standard input ('-') can be read only once"));
            }
            sources.push(Source { path: input.clone(), relative: input.clone(), len: 0, found_in_dir: false });
            continue;
        }
        let meta = fs::metadata(input).or_io(|| format!("cannot read '{}'", input.display()))?;
        if meta.is_dir() {
            let mut found = Vec::new();
            walk(input, ext, &mut found, &mut skipped)?;
            if found.is_empty() {
                return Err(Failure::usage(format!(
                    "no .{ext} files found in directory '{}'{}",
                    input.display(),
                    skipped.describe(ext)
                )));
            }
            found.sort();
            for (path, len) in found {
                let relative = path.strip_prefix(input).unwrap_or(&path).to_path_buf();
                sources.push(Source { path, relative, len, found_in_dir: true });
            }
        } else {
            // Named directly: read whatever it is (a FIFO such as `<(cmd)`
            // included), as the user asked.
            let relative = PathBuf::from(input.file_name().unwrap_or(input.as_os_str()));
            sources.push(Source { path: input.clone(), relative, len: meta.len(), found_in_dir: false });
        }
    }
    Ok((sources, skipped))
}

fn walk(dir: &Path, ext: &str, found: &mut Vec<(PathBuf, u64)>, skipped: &mut Skipped) -> Result<()> {
    let entries =
        fs::read_dir(dir).or_io(|| format!("cannot list directory '{}'", dir.display()))?;
    for entry in entries {
        let entry = entry.or_io(|| format!("cannot list directory '{}'", dir.display()))?;
        let path = entry.path();
        if is_temp_name(&entry.file_name()) {
            continue;
        }
        let kind = entry
            .file_type()
            .or_io(|| format!("cannot read '{}'", path.display()))?;
        if kind.is_dir() {
            walk(&path, ext, found, skipped)?;
            continue;
        }
        // A link counts as what it points to (a dangling one as nothing).
        let meta = if kind.is_symlink() {
            match fs::metadata(&path) {
                Ok(m) if m.is_dir() => continue,
                Ok(m) => m,
                Err(_) => continue,
            }
        } else {
            match entry.metadata() {
                Ok(m) => m,
                Err(_) => continue,
            }
        };
        let wanted = has_extension(&path, ext);
        if !meta.file_type().is_file() {
            if wanted {
                skipped.not_regular.push(path);
            }
        } else if wanted {
            found.push((path, meta.len()));
        } else {
            skipped.other_files += 1;
        }
    }
    Ok(())
}

/// Reads a whole input: `-` is standard input. A path found in a directory
/// (`must_be_regular`) is opened without blocking and refused unless it is a
/// regular file, so a FIFO put there meanwhile cannot hang the run.
/// `progress` is told the bytes as they arrive.
pub fn read_input(path: &Path, must_be_regular: bool, progress: &dyn Fn(u64)) -> Result<Vec<u8>> {
    let what = || format!("cannot read '{}'", path.display());
    if is_stdio(path) {
        let mut bytes = Vec::new();
        std::io::stdin()
            .lock()
            .read_to_end(&mut bytes)
            .or_io(|| "cannot read standard input".into())?;
        progress(bytes.len() as u64);
        return Ok(bytes);
    }
    let file = fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .or_io(what)?;
    let meta = file.metadata().or_io(what)?;
    if !meta.is_file() {
        if must_be_regular {
            return Err(Failure::usage(format!(
                "'{}' is not a regular file (a FIFO, device or socket); not read",
                path.display()
            )));
        }
        // Named by the user: read it as a stream, blocking as `cat` would.
        clear_nonblocking(&file).or_io(what)?;
    }
    let mut bytes = Vec::new();
    crate::memory::fallible(|| bytes.try_reserve_exact(meta.len() as usize))
        .map_err(|_| out_of_memory(path, meta.len()))?;
    let mut file = file;
    let mut chunk = vec![0u8; READ_CHUNK_BYTES.min(meta.len().max(64 << 10) as usize)];
    loop {
        match file.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => {
                crate::memory::fallible(|| bytes.try_reserve(n))
                    .map_err(|_| out_of_memory(path, (bytes.len() + n) as u64))?;
                bytes.extend_from_slice(&chunk[..n]);
                progress(n as u64);
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e).or_io(what),
        }
    }
    Ok(bytes)
}

fn out_of_memory(path: &Path, bytes: u64) -> Failure {
    Failure::new(
        Exit::OutOfMemory,
        anyhow::anyhow!(
            "cannot read '{}': out of memory ({} needed)",
            path.display(),
            crate::progress::bytes(bytes)
        ),
    )
}

fn clear_nonblocking(file: &fs::File) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    let fd = file.as_raw_fd();
    // SAFETY: fcntl on a descriptor this function's caller owns, with
    // integer arguments only.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    if flags < 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: as above.
    if unsafe { libc::fcntl(fd, libc::F_SETFL, flags & !libc::O_NONBLOCK) } < 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

/// `name` + `suffix`, byte for byte (non-UTF-8 names kept as they are).
pub fn append_name(name: &OsStr, suffix: &str) -> OsString {
    let mut out = name.to_os_string();
    out.push(suffix);
    out
}

/// `name` without a final `.ext` (ASCII case ignored), or `None` when it
/// does not end so or nothing would be left.
pub fn strip_extension(name: &OsStr, ext: &str) -> Option<OsString> {
    let bytes = name.as_bytes();
    let stem = bytes.len().checked_sub(ext.len() + 1)?;
    let tail = &bytes[stem..];
    (stem > 0 && tail[0] == b'.' && tail[1..].eq_ignore_ascii_case(ext.as_bytes()))
        .then(|| OsString::from_vec(bytes[..stem].to_vec()))
}

/// Where each output goes: `out` is the single output file when one input
/// file is named and `out` is not an existing directory (nor ends in `/`);
/// otherwise `out` is a directory that mirrors the inputs' relative paths.
/// Without `out`, outputs go beside their inputs, and standard input's to
/// standard output. `rename` maps an input file name to its output name.
pub fn plan_outputs(
    sources: &[Source],
    single_file_named: bool,
    out: Option<&Path>,
    rename: impl Fn(&OsStr) -> OsString,
) -> Result<Vec<PathBuf>> {
    let renamed = |p: &Path| -> PathBuf {
        let name = p.file_name().unwrap_or_default();
        p.with_file_name(rename(name))
    };
    let single_out = |out: &Path| {
        single_file_named
            && (is_stdio(out)
                || (!out.is_dir() && !out.as_os_str().as_bytes().ends_with(b"/")))
    };
    match out {
        Some(out) if single_out(out) => Ok(vec![out.to_path_buf()]),
        Some(out) if is_stdio(out) => Err(Failure::usage(
            "'-o -' (standard output) takes exactly one input file",
        )),
        Some(dir) => sources
            .iter()
            .map(|s| {
                if is_stdio(&s.path) {
                    Err(Failure::usage(
                        "standard input ('-') needs '-o FILE' or '-o -', not an output directory",
                    ))
                } else {
                    Ok(dir.join(renamed(&s.relative)))
                }
            })
            .collect(),
        None => Ok(sources
            .iter()
            .map(|s| if is_stdio(&s.path) { s.path.clone() } else { renamed(&s.path) })
            .collect()),
    }
}

/// How an output path is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Sink {
    /// `-`, `/dev/stdout` and its aliases: this process's standard output.
    Stdout,
    /// A device, FIFO or socket (or a link to one): opened and written as it
    /// is, never created, truncated or replaced.
    InPlace(PathBuf),
    /// A regular file (or none yet): written through a temporary file and a
    /// rename. A link to a regular file is resolved, so the link stays.
    File(PathBuf),
}

/// Decides how `path` is written (see [`Sink`]).
pub fn sink_for(path: &Path) -> Sink {
    if is_stdio(path)
        || [Path::new("/dev/stdout"), Path::new("/dev/fd/1"), Path::new("/proc/self/fd/1")]
            .contains(&path)
    {
        return Sink::Stdout;
    }
    let Ok(link) = fs::symlink_metadata(path) else {
        return Sink::File(path.to_path_buf());
    };
    if link.file_type().is_symlink() {
        return match (fs::metadata(path), fs::canonicalize(path)) {
            (Ok(target), _) if !target.is_file() => Sink::InPlace(path.to_path_buf()),
            (Ok(_), Ok(real)) => Sink::File(real),
            // Dangling: replacing the link itself is what is left to do.
            _ => Sink::File(path.to_path_buf()),
        };
    }
    if link.is_file() || link.is_dir() {
        Sink::File(path.to_path_buf())
    } else {
        Sink::InPlace(path.to_path_buf())
    }
}

/// Refuses outputs that would replace an input (always) or an existing file
/// (unless `force`), and two inputs writing the same output. Devices, FIFOs
/// and standard output are written in place and need no `--force`.
pub fn check_outputs(sources: &[Source], outputs: &[PathBuf], force: bool) -> Result<()> {
    let identity = |p: &Path| fs::metadata(p).ok().map(|m| (m.dev(), m.ino()));
    let inputs: std::collections::HashSet<(u64, u64)> = sources
        .iter()
        .filter(|s| !is_stdio(&s.path))
        .filter_map(|s| identity(&s.path))
        .collect();
    let mut seen = std::collections::HashSet::new();
    for out in outputs {
        let sink = sink_for(out);
        if sink == Sink::Stdout {
            continue;
        }
        if !seen.insert(out.clone()) {
            return Err(Failure::usage(format!(
                "two inputs would both be written to '{}'; use separate runs or an output directory",
                out.display()
            )));
        }
        if identity(out).is_some_and(|id| inputs.contains(&id)) {
            return Err(Failure::usage(format!(
                "refusing to overwrite the input '{}' with its own output",
                out.display()
            )));
        }
        if matches!(sink, Sink::File(_)) && fs::symlink_metadata(out).is_ok() && !force {
            return Err(Failure::usage(format!(
                "'{}' already exists; pass --force to replace it or -o to write elsewhere",
                out.display()
            )));
        }
    }
    Ok(())
}

/// The directory a file output lands in (`.` for a bare name).
fn parent_of(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Before any work: creates the directories the file outputs go to, makes
/// sure each can be written (by creating and removing a temporary file
/// there, which is what counts, as root too and on read-only mounts), and
/// removes stale temporary files an interrupted run left there. Returns how
/// many stale files were removed.
pub fn prepare_output_dirs(outputs: &[PathBuf]) -> Result<usize> {
    let mut dirs: Vec<PathBuf> = outputs
        .iter()
        .filter_map(|o| match sink_for(o) {
            Sink::File(p) => Some(parent_of(&p).to_path_buf()),
            _ => None,
        })
        .collect();
    dirs.sort();
    dirs.dedup();
    let mut removed = 0;
    for dir in &dirs {
        fs::create_dir_all(dir).or_io(|| format!("cannot create directory '{}'", dir.display()))?;
        let (temp, _file) = create_temp(dir)
            .or_io(|| format!("cannot write in directory '{}'", dir.display()))?;
        let _ = fs::remove_file(&temp);
        removed += clean_stale_temps(dir);
    }
    Ok(removed)
}

fn temp_name(pid: u32, random: u32) -> String {
    format!("{TEMP_PREFIX}{pid:x}-{random:08x}{TEMP_SUFFIX}")
}

/// The pid in one of our temporary names, or `None` for any other name.
fn temp_pid(name: &OsStr) -> Option<u32> {
    let name = name.to_str()?;
    let body = name.strip_prefix(TEMP_PREFIX)?.strip_suffix(TEMP_SUFFIX)?;
    let (pid, random) = body.split_once('-')?;
    let hex = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit());
    (hex(pid) && random.len() == 8 && hex(random)).then(|| u32::from_str_radix(pid, 16).ok())?
}

fn is_temp_name(name: &OsStr) -> bool {
    temp_pid(name).is_some()
}

fn random_u32() -> u32 {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    // RandomState is seeded from the OS once per process; the counter and
    // the clock make every call differ.
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    h.write_u128(SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default().as_nanos());
    h.finish() as u32
}

/// Creates a new temporary file in `dir` (exclusively: never one that exists).
fn create_temp(dir: &Path) -> std::io::Result<(PathBuf, fs::File)> {
    let pid = std::process::id();
    let mut attempt = 0;
    loop {
        let path = dir.join(temp_name(pid, random_u32()));
        match fs::OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(file) => return Ok((path, file)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 16 => attempt += 1,
            Err(e) => return Err(e),
        }
    }
}

fn process_alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else { return false };
    // SAFETY: signal 0 only checks that the process exists.
    let sent = unsafe { libc::kill(pid, 0) };
    sent == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// Removes this tool's temporary files in `dir` whose process is gone (or
/// that are older than [`STALE_TEMP_AGE`]); returns how many.
pub fn clean_stale_temps(dir: &Path) -> usize {
    let Ok(entries) = fs::read_dir(dir) else { return 0 };
    let mut removed = 0;
    for entry in entries.flatten() {
        let Some(pid) = temp_pid(&entry.file_name()) else { continue };
        let Ok(meta) = entry.metadata() else { continue };
        if !meta.is_file() {
            continue;
        }
        let old = meta
            .modified()
            .ok()
            .and_then(|m| m.elapsed().ok())
            .is_some_and(|age| age > STALE_TEMP_AGE);
        let mine = pid == std::process::id();
        if ((!mine && !process_alive(pid)) || old) && fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// Writes `bytes` to `path` as [`Sink`] says: standard output, in place, or
/// through a temporary file and a rename that replaces an existing file
/// only when `replace` is set. Creates missing parent directories.
pub fn write_output(path: &Path, bytes: &[u8], replace: bool) -> Result<()> {
    match sink_for(path) {
        Sink::Stdout => {
            let mut out = std::io::stdout().lock();
            let written = out.write_all(bytes).and_then(|()| out.flush());
            if let Err(e) = &written {
                crate::out::reported(e);
            }
            written.or_io(|| "cannot write to standard output".into())
        }
        Sink::InPlace(p) => fs::OpenOptions::new()
            .write(true)
            .open(&p)
            .and_then(|mut f| f.write_all(bytes).and_then(|()| f.flush()))
            .or_io(|| format!("cannot write '{}'", p.display())),
        Sink::File(p) => write_file(&p, bytes, replace),
    }
}

/// Atomically writes a regular file (see [`write_output`]).
pub fn write_file(path: &Path, bytes: &[u8], replace: bool) -> Result<()> {
    let parent = parent_of(path);
    fs::create_dir_all(parent)
        .or_io(|| format!("cannot create directory '{}'", parent.display()))?;
    let what = || format!("cannot write '{}'", path.display());
    let (temp, mut file) = create_temp(parent).or_io(what)?;
    let written = file
        .write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(Placed::Io)
        .and_then(|()| {
            drop(file);
            if replace {
                fs::rename(&temp, path).map_err(Placed::Io)
            } else {
                rename_noreplace(&temp, path)
            }
        });
    if written.is_err() {
        let _ = fs::remove_file(&temp);
    }
    match written {
        Ok(()) => {}
        Err(Placed::Exists) => {
            return Err(Failure::usage(format!(
                "'{}' appeared while this run worked (another run?); not replaced: pass --force to replace it",
                path.display()
            )))
        }
        Err(Placed::Io(e)) => return Err(e).or_io(what),
    }
    // The rename is durable only once the directory is on disk.
    fs::File::open(parent)
        .and_then(|d| d.sync_all())
        .or_io(|| format!("cannot flush directory '{}'", parent.display()))
}

enum Placed {
    Exists,
    Io(std::io::Error),
}

/// Renames `from` to `to` unless `to` exists, atomically where the file
/// system can (renameat2 RENAME_NOREPLACE, else a hard link and unlink).
fn rename_noreplace(from: &Path, to: &Path) -> std::result::Result<(), Placed> {
    use std::ffi::CString;
    let c = |p: &Path| CString::new(p.as_os_str().as_bytes()).map_err(|e| Placed::Io(e.into()));
    let (cf, ct) = (c(from)?, c(to)?);
    // SAFETY: two NUL-terminated paths that outlive the call.
    let r = unsafe {
        libc::renameat2(libc::AT_FDCWD, cf.as_ptr(), libc::AT_FDCWD, ct.as_ptr(), libc::RENAME_NOREPLACE)
    };
    if r == 0 {
        return Ok(());
    }
    let e = std::io::Error::last_os_error();
    match e.raw_os_error() {
        Some(libc::EEXIST) => return Err(Placed::Exists),
        Some(libc::EINVAL | libc::ENOSYS | libc::EOPNOTSUPP) => {}
        _ => return Err(Placed::Io(e)),
    }
    // The file system cannot rename without replacing: a hard link cannot
    // replace either, and the temporary name is then removed.
    match fs::hard_link(from, to) {
        Ok(()) => fs::remove_file(from).map_err(Placed::Io),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(Placed::Exists),
        Err(e) => Err(Placed::Io(e)),
    }
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
        let (sources, skipped) = collect_counting(&[path.to_path_buf()], "wav")?;
        let note = skipped.describe("wav");
        if !note.is_empty() {
            errln!("brainwire: note: in '{}'{note}", path.display());
        }
        sources
            .into_iter()
            .map(|s| {
                let bytes = read_input(&s.path, s.found_in_dir, &|_| {})?;
                Ok(Recording {
                    name: s.relative.to_string_lossy().into_owned(),
                    bytes,
                })
            })
            .collect::<Result<Vec<_>>>()?
    } else if has_extension(path, "zip") {
        load_zip(path)?
    } else {
        let bytes = read_input(path, false, &|_| {})?;
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
