//! Codes of the problems that stop a contract from being read (exit code 2).

/// The file is not valid YAML or JSON.
pub const SYNTAX: &str = "contract-syntax";
/// The file is YAML or JSON but no Swagger 2.0 or OpenAPI 3 document.
pub const NOT_OPENAPI: &str = "contract-not-openapi";
/// A local `$ref` points at nothing.
pub const DANGLING_REF: &str = "contract-dangling-ref";
/// A chain of `$ref`s never reaches a schema.
pub const REF_CYCLE: &str = "contract-ref-cycle";
/// The file cannot be read.
pub const UNREADABLE: &str = "contract-unreadable";
/// No contract check has the id asked for.
pub const UNKNOWN_CHECK: &str = "contract-unknown-check";
