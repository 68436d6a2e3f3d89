//! `--model FILE`: a TOML file holding a `[model]` table (the `estimated.toml` of `pactsim
//! estimate`, or a block copied from a scenario), read as `model.KEY=VALUE` overrides so every
//! value is checked exactly as a `--set` is.

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum ModelFileError {
    #[error("--model {}: cannot read it", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("--model {}: not valid TOML: {message}", path.display())]
    Toml { path: PathBuf, message: String },
    #[error("--model {}: {message}", path.display())]
    Content { path: PathBuf, message: String },
}

/// The `[model]` table of `text` as `model.KEY=VALUE` strings, in file order (nested tables as
/// dotted keys: `model.weights.security=…`).
pub fn overrides_of(path: &Path, text: &str) -> Result<Vec<String>, ModelFileError> {
    let content = |message: String| ModelFileError::Content {
        path: path.to_path_buf(),
        message,
    };
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| ModelFileError::Toml {
        path: path.to_path_buf(),
        message: e.message().to_string(),
    })?;
    for key in table.keys() {
        if key != "model" {
            return Err(content(format!(
                "key `{key}`: a model file holds only a [model] table (its values are applied to the scenario like --set model.KEY=VALUE)"
            )));
        }
    }
    let Some(model) = table.get("model") else {
        return Err(content(
            "no [model] table: write the values under [model] (e.g. [model.weights] security = 2.5)".into(),
        ));
    };
    let Some(model) = model.as_table() else {
        return Err(content("`model` must be a table ([model])".into()));
    };
    let mut out = Vec::new();
    flatten("model", model, &mut out).map_err(content)?;
    Ok(out)
}

fn flatten(prefix: &str, table: &toml::Table, out: &mut Vec<String>) -> Result<(), String> {
    for (key, value) in table {
        let path = format!("{prefix}.{key}");
        match value {
            toml::Value::Table(t) => flatten(&path, t, out)?,
            toml::Value::Float(f) => out.push(format!("{path}={f}")),
            toml::Value::Integer(i) => out.push(format!("{path}={i}")),
            toml::Value::Boolean(b) => out.push(format!("{path}={b}")),
            toml::Value::String(s) => out.push(format!("{path}={s}")),
            toml::Value::Datetime(d) => out.push(format!("{path}={d}")),
            toml::Value::Array(_) => {
                return Err(format!(
                    "key `{path}`: a list cannot be applied as a --set; give its values one by one"
                ));
            }
        }
    }
    Ok(())
}

/// Reads `path` and returns its overrides ([`overrides_of`]).
pub fn overrides(path: &Path) -> Result<Vec<String>, ModelFileError> {
    let text = std::fs::read_to_string(path).map_err(|source| ModelFileError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    overrides_of(path, &text)
}
