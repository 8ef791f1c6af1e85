//! `kind: Reconciliation`: a proof that two data sources agree (Magento's MySQL and an ERP's
//! PostgreSQL), run repeatedly and tracked for drift.
//!
//! The parts that are plain data (key and column mappings, transforms, aggregates, the drift
//! policy) are read straight from the file by serde; the loader validates the sources, whose
//! connection URL must be a secret reference (`env:ERP_DB_URL`).

use crate::values::{Duration, SecretRef};
use crate::Located;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

fn is_false(b: &bool) -> bool {
    !*b
}

/// One side of a reconciliation: a table or a query in a database.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReconcileSource {
    /// The connection URL, by secret reference only (`env:MAGENTO_DB_URL`).
    pub url: Located<SecretRef>,
    /// A table (`sales_order`, `erp.orders`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    /// A query, in the database's own SQL, used instead of a table.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// A predicate in the database's own SQL that selects the rows to compare.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
    /// The last-modified column: rows changed within the grace window are in flight and
    /// never reported as differences.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub watermark: Option<String>,
    /// The time zone naive timestamps of this source are stored in (default UTC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
}

/// How a value is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema, Hash)]
#[serde(rename_all = "snake_case")]
pub enum ValueType {
    /// Text, byte for byte after the transforms.
    #[default]
    Text,
    /// A whole number.
    Integer,
    /// A fixed-point number, compared at `scale` decimals.
    Decimal,
    /// A point in time, compared in UTC to the second.
    Timestamp,
    /// A calendar date.
    Date,
}

/// Letter case normalisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Case {
    /// Lower case.
    Lower,
    /// Upper case.
    Upper,
}

/// A column of one side and the transforms applied to it before comparing.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SideColumn {
    /// The column (a plain column name of the table or query).
    pub column: String,
    /// Remove leading and trailing spaces.
    #[serde(default, skip_serializing_if = "is_false")]
    pub trim: bool,
    /// Fold letter case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case: Option<Case>,
    /// Vocabulary mapping applied to the value (`processing: open`); values not listed pass
    /// through unchanged.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub map: BTreeMap<String, String>,
    /// Divide a number by this (`100` turns cents into a decimal amount).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub divide: Option<u32>,
    /// Multiply a number by another column of the same row (an exchange rate: order currency to
    /// base currency).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multiply_by: Option<String>,
}

/// One part of the row key, as each side names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyPart {
    /// How the values compare (default `text`).
    #[serde(rename = "type", default)]
    pub value_type: ValueType,
    /// The left column and its transforms.
    pub left: SideColumn,
    /// The right column and its transforms.
    pub right: SideColumn,
}

/// A compared column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ColumnMapping {
    /// The name used in reports.
    pub name: String,
    /// How the values compare (default `text`).
    #[serde(rename = "type", default)]
    pub value_type: ValueType,
    /// Decimals compared for `decimal` (default 4, Magento's `decimal(20,4)`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<u32>,
    /// Largest difference still counted as equal, as decimal text (`"0.01"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerance: Option<String>,
    /// The left column and its transforms.
    pub left: SideColumn,
    /// The right column and its transforms.
    pub right: SideColumn,
}

/// A numeric column both sides agree on (Magento `entity_id` and the ERP's copy of it), used
/// to split the work into key ranges served by an index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SegmentBy {
    /// The left column.
    pub left: String,
    /// The right column.
    pub right: String,
}

/// One output column of an aggregate query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AggregateColumn {
    /// The column alias both queries return.
    pub name: String,
    /// How the values compare (default `text`).
    #[serde(rename = "type", default)]
    pub value_type: ValueType,
    /// Decimals compared for `decimal` (default 4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<u32>,
    /// Largest difference still counted as equal (`"0.01"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerance: Option<String>,
}

/// An aggregate check: a grouped query on each side, compared group by group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AggregateCheck {
    /// The check's name (`revenue-per-day-and-store`).
    pub name: String,
    /// Group columns (the aggregate's key), as aliases both queries return.
    pub group_by: Vec<AggregateColumn>,
    /// Measured columns (counts, sums), as aliases both queries return.
    pub measures: Vec<AggregateColumn>,
    /// The left query; `:cutoff` is replaced by the grace-window cutoff (UTC timestamp text).
    pub left: String,
    /// The right query; `:cutoff` is replaced as on the left.
    pub right: String,
}

/// When a run counts as drifting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DriftPolicy {
    /// A mismatch rate (differences per compared row) that is always too high.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_rate: Option<f64>,
    /// Runs that establish the baseline before the detector judges (default 5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warmup: Option<u32>,
    /// CUSUM decision threshold in baseline deviations (default 5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f64>,
}

/// A reconciliation between two sources.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reconciliation {
    /// The left source (usually the shop).
    pub left: ReconcileSource,
    /// The right source (usually the ERP).
    pub right: ReconcileSource,
    /// The row key, part by part.
    pub key: Vec<KeyPart>,
    /// A shared numeric column for index-served key ranges; without it rows are split by a
    /// hash of the key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub segment_by: Option<SegmentBy>,
    /// The compared columns.
    pub columns: Vec<ColumnMapping>,
    /// Rows changed more recently than this are in flight (`15m`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grace: Option<Duration>,
    /// Aggregate checks.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aggregates: Vec<AggregateCheck>,
    /// The drift policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drift: Option<DriftPolicy>,
}
