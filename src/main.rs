use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // An empty `TENANTLINT_FORMAT` (as CI templates leave an unset variable) means no format was
    // asked for, not an empty one; this runs before any thread starts.
    if std::env::var_os("TENANTLINT_FORMAT").is_some_and(|v| v.is_empty()) {
        std::env::remove_var("TENANTLINT_FORMAT");
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
