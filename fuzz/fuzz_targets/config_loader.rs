//! The config loader on arbitrary text: it returns a config or an error whose span lies inside
//! the file; it never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = std::path::Path::new("tenantlint.toml");
    match tenantlint::config::Config::from_toml_str(text, path, std::path::PathBuf::from(".")) {
        Ok(config) => {
            let _ = config.tenant_tables().is_tenant("iw_member");
            let _ = config.exclude_set();
        }
        Err(e) => {
            if let Some(span) = e.span() {
                assert!(
                    span.end <= text.len(),
                    "error span {span:?} outside the file"
                );
            }
        }
    }
});
