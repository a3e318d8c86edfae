use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // An empty `TENANTLINT_FORMAT` or `TENANTLINT_CACHE_DIR` (as CI templates leave an unset
    // variable) means none was asked for, not an empty one; this runs before any thread starts.
    for name in ["TENANTLINT_FORMAT", "TENANTLINT_CACHE_DIR"] {
        if std::env::var_os(name).is_some_and(|v| v.is_empty()) {
            std::env::remove_var(name);
        }
    }
    let cli = tenantlint::Cli::parse();
    match tenantlint::run(cli) {
        Ok(status) => ExitCode::from(status as u8),
        Err(err) => {
            eprintln!("{:?}", miette::Report::new(err));
            ExitCode::from(tenantlint::ExitStatus::Error as u8)
        }
    }
}
