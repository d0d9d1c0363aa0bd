//! Running commands with clear failures, and finding the workspace.

use std::path::{Path, PathBuf};
use std::process::Command;

pub type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

/// The workspace root (the parent of xtask/).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace").to_path_buf()
}

/// The cargo that runs us: the pinned toolchain's.
pub fn cargo() -> Command {
    let mut c = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    c.current_dir(root());
    c
}

/// Runs `cmd`, echoing it, failing with its exit status.
pub fn run(cmd: &mut Command) -> Result {
    eprintln!("$ {}", describe(cmd));
    let status = cmd.status().map_err(|e| format!("could not start `{}`: {e}", describe(cmd)))?;
    if !status.success() {
        return Err(format!("`{}` failed ({status})", describe(cmd)).into());
    }
    Ok(())
}

/// Runs `cmd` and returns its stdout, failing with its stderr.
pub fn output(cmd: &mut Command) -> Result<String> {
    let out = cmd.output().map_err(|e| format!("could not start `{}`: {e}", describe(cmd)))?;
    if !out.status.success() {
        return Err(format!("`{}` failed: {}", describe(cmd), String::from_utf8_lossy(&out.stderr)).into());
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

pub fn describe(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for a in cmd.get_args() {
        s.push(' ');
        s.push_str(&a.to_string_lossy());
    }
    s
}

/// Whether `program` is on PATH.
pub fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(program).is_file()))
        .unwrap_or(false)
}

/// `cargo metadata` of the workspace (dependencies resolved from Cargo.lock).
pub fn metadata() -> Result<cargo_metadata::Metadata> {
    let mut c = cargo_metadata::MetadataCommand::new();
    c.manifest_path(root().join("Cargo.toml"));
    if let Some(cargo) = std::env::var_os("CARGO") {
        c.cargo_path(cargo);
    }
    Ok(c.exec().map_err(|e| format!("`cargo metadata` failed: {e}"))?)
}

/// Like [`run`], but kills the command when it runs longer than `deadline`, so
/// no step can hang CI. (Not in a process group of its own: Ctrl-C must still
/// reach it.)
pub fn run_with_deadline(cmd: &mut Command, deadline: std::time::Duration) -> Result {
    eprintln!("$ {}", describe(cmd));
    let mut child = cmd.spawn().map_err(|e| format!("could not start `{}`: {e}", describe(cmd)))?;
    let start = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait()? {
            if !status.success() {
                return Err(format!("`{}` failed ({status})", describe(cmd)).into());
            }
            return Ok(());
        }
        if start.elapsed() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("`{}` did not finish within {} s and was killed", describe(cmd), deadline.as_secs()).into());
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}

/// Like [`output`] with a deadline; stderr goes to ours (build progress stays
/// visible), stdout is returned.
pub fn output_with_deadline(cmd: &mut Command, deadline: std::time::Duration) -> Result<String> {
    use std::io::Read;
    eprintln!("$ {}", describe(cmd));
    let mut child = cmd.stdout(std::process::Stdio::piped()).spawn().map_err(|e| format!("could not start `{}`: {e}", describe(cmd)))?;
    let mut stdout = child.stdout.take().expect("piped");
    let reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = stdout.read_to_end(&mut s);
        String::from_utf8_lossy(&s).into_owned()
    });
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if start.elapsed() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("did not finish within {} s and was killed", deadline.as_secs()).into());
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    };
    let out = reader.join().unwrap_or_default();
    eprint!("{out}");
    if !status.success() {
        return Err(format!("exited with {status}").into());
    }
    Ok(out)
}
