//! One output table as one Parquet file, with the encoding of each column
//! chosen here rather than by polars.
//!
//! polars' writer tries a dictionary for every string and number column: it
//! estimates the column's distinct values and, when they look few, hashes
//! every value. A mostly-null column looks few (`matches`' `id_number` is
//! null on eight rows in ten), so the ids and scores of 20M extract rows
//! were hashed for dictionaries that zstd makes no smaller than the plain
//! values (docs/PERFORMANCE.md). Code columns are polars Enums, so already
//! dictionaries, and stay so; every other column is written plain. polars'
//! `BatchedWriter` takes no encodings (its constructor that would leaves
//! the schema empty), hence this small writer over polars-parquet's own
//! `FileWriter` and `row_group_iter`.

use polars::prelude::*;
use polars_parquet::write::{
    row_group_iter, to_parquet_schema, CompressionOptions, Encoding, FileWriter, KeyValue,
    ParquetType, StatisticsOptions, Version, WriteOptions, ZstdLevel,
};
use std::io::Write;

/// polars' default row group: 2^18 rows.
const ROW_GROUP_ROWS: usize = 512 * 512;

pub struct ParquetFile<W: Write> {
    writer: FileWriter<W>,
    fields: Vec<ParquetType>,
    encodings: Vec<Vec<Encoding>>,
    options: WriteOptions,
    /// The footer's Arrow schema hint, in Arrow's oldest types.
    plain_schema: KeyValue,
}

impl<W: Write> ParquetFile<W> {
    pub fn new(file: W, schema: &Schema) -> PolarsResult<ParquetFile<W>> {
        let arrow = schema.to_arrow(CompatLevel::newest());
        let options = WriteOptions {
            statistics: StatisticsOptions::default(),
            compression: compression(),
            version: Version::V1,
            data_page_size: None,
        };
        let encodings = arrow.iter_values().map(|f| encodings(&f.dtype)).collect();
        let parquet_schema = to_parquet_schema(&arrow)?;
        Ok(ParquetFile {
            fields: parquet_schema.fields().to_vec(),
            writer: FileWriter::new_with_parquet_schema(file, arrow, parquet_schema, options),
            encodings,
            options,
            plain_schema: plain_schema_hint(schema),
        })
    }

    /// Appends `frame`'s rows, in row groups of at most [`ROW_GROUP_ROWS`].
    pub fn write(&mut self, frame: &DataFrame) -> PolarsResult<()> {
        for start in (0..frame.height()).step_by(ROW_GROUP_ROWS) {
            let mut group = frame.slice(start as i64, ROW_GROUP_ROWS);
            group.align_chunks_par();
            for batch in group.iter_chunks(CompatLevel::newest(), false) {
                let rows = batch.len() as u64;
                let columns = row_group_iter(
                    batch,
                    self.encodings.clone().into(),
                    self.fields.clone(),
                    self.options,
                );
                self.writer.write(rows, columns)?;
            }
        }
        Ok(())
    }

    /// Writes the footer.
    pub fn finish(mut self) -> PolarsResult<()> {
        self.writer.end(Some(vec![self.plain_schema]))?;
        Ok(())
    }
}

/// Writes frames of one schema as one Parquet file, one after another
/// (memory for one frame at a time; the same frames give the same bytes).
/// Returns the rows written.
pub fn write_frames<W: Write>(
    sink: W,
    mut frames: impl Iterator<Item = DataFrame>,
) -> PolarsResult<usize> {
    let first = frames.next().expect("at least one frame");
    let mut writer = ParquetFile::new(sink, first.schema())?;
    let mut rows = first.height();
    writer.write(&first)?;
    drop(first);
    for frame in frames {
        rows += frame.height();
        writer.write(&frame)?;
    }
    writer.finish()?;
    Ok(rows)
}

/// zstd at level 1: every output is written once and read a few times,
/// and level 1 costs less CPU than the default (3) for files a little
/// larger. (Snappy was tried at 1M households: no faster end to end, as
/// measured, and its files twice the size.)
fn compression() -> CompressionOptions {
    CompressionOptions::Zstd(Some(ZstdLevel::try_new(1).expect("1 is a zstd level")))
}

/// A dictionary for a column that is one (an Enum's codes), deltas for
/// integers, plain for any other, for each Parquet leaf of the column.
/// Deltas because `row_index` counts up by one on every row: 20M rows of
/// `matches` became a few bytes per page instead of 160 MB for zstd to
/// compress (docs/PERFORMANCE.md).
fn encodings(dtype: &ArrowDataType) -> Vec<Encoding> {
    let polars_choice = polars_parquet::write::get_dtype_encoding(dtype);
    if is_dictionary(dtype) {
        return polars_choice;
    }
    use ArrowDataType as A;
    if let A::Int8 | A::Int16 | A::Int32 | A::Int64 | A::UInt8 | A::UInt16 | A::UInt32 | A::UInt64 =
        dtype
    {
        return vec![Encoding::DeltaBinaryPacked];
    }
    let plain = |e: Encoding| match e {
        Encoding::RleDictionary | Encoding::PlainDictionary => Encoding::Plain,
        other => other,
    };
    polars_choice.into_iter().map(plain).collect()
}

/// Whether the column's values (a list's items) are dictionary-encoded.
fn is_dictionary(dtype: &ArrowDataType) -> bool {
    match dtype.to_storage() {
        ArrowDataType::Dictionary(..) => true,
        ArrowDataType::List(inner) | ArrowDataType::LargeList(inner) => is_dictionary(&inner.dtype),
        _ => false,
    }
}

/// The footer's Arrow schema hint in Arrow's oldest types (`large_string`,
/// `large_list`), not polars' default `string_view`: a verification centre's
/// tools (older pyarrow and pandas, Spark, R's arrow) read those, and the
/// Parquet data itself is the same.
/// Code columns held as polars Enums ([`super::tables::codes`]) are declared
/// strings too: their values are strings, dictionary-encoded in the file.
pub fn plain_schema_hint(schema: &Schema) -> KeyValue {
    let plain: Schema = schema
        .iter()
        .map(|(name, dtype)| match dtype {
            DataType::Enum(..) | DataType::Categorical(..) => (name.clone(), DataType::String),
            other => (name.clone(), other.clone()),
        })
        .collect();
    polars_parquet::write::schema_to_metadata_key(&plain.to_arrow(CompatLevel::oldest()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A row index counts up by one: written as deltas, a million of them
    /// take a few bytes a page (plain and zstd, about a megabyte); the
    /// values read back as written.
    #[test]
    fn integers_are_written_as_deltas() {
        let rows = 1_000_000u64;
        let row_index = Column::new("row_index".into(), (0..rows).collect::<Vec<u64>>());
        let frame = DataFrame::new(rows as usize, vec![row_index]).unwrap();
        let mut bytes = Vec::new();
        write_frames(&mut bytes, std::iter::once(frame.clone())).unwrap();
        assert!(
            bytes.len() < 100_000,
            "{} bytes for {rows} small integers",
            bytes.len()
        );
        let read = ParquetReader::new(std::io::Cursor::new(bytes))
            .finish()
            .unwrap();
        assert!(read.equals(&frame));
    }
}
