use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = tenantlint::Cli::parse();
    match tenantlint::run(cli) {
        Ok(status) => ExitCode::from(status as u8),
        Err(err) => {
            eprintln!("{:?}", miette::Report::new(err));
            ExitCode::from(tenantlint::ExitStatus::Error as u8)
        }
    }
}
