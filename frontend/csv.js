// CSV in and out: parse pasted text or a file into rows for POST /predict, and write results back.
// RFC 4180 quoting, CRLF/LF/CR line ends, a leading BOM, and comma, semicolon or tab separators.

/** @typedef {{cells: string[], line: number}} CsvRecord  a record and the file line it starts on (1-based) */

/**
 * @typedef {object} Batch
 * @property {Array<Array<number|string>>} instances  one row per data record, ready to send
 * @property {number[]} lines           the file line each instance came from (1-based)
 * @property {CsvRecord[]} records      the data records as read
 * @property {string[]|null} header     the header row's cells, or null when there was none
 * @property {Map<string, number>} columnOf  feature name → column index in the records
 * @property {string[]} ignoredColumns  header columns that are not features (sent nowhere, kept in the output)
 */

export class CsvError extends Error {
  /** @param {string} message @param {number} [line] */
  constructor(message, line) {
    super(message);
    this.name = "CsvError";
    this.line = line;
  }
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Splits CSV text into records; blank lines are skipped.
 * @param {string} text
 * @returns {CsvRecord[]}
 */
export function parseCsv(text) {
  text = text.replace(/^\uFEFF/, "");
  const separator = detectSeparator(text);
  /** @type {CsvRecord[]} */
  const records = [];
  /** @type {string[]} */
  let cells = [];
  let cell = "";
  let quoted = false; // inside a quoted cell
  let wasQuoted = false; // the record has a quoted cell (so an empty-looking record is not blank)
  let line = 1;
  let recordLine = 1;

  const endCell = () => {
    cells.push(cell);
    cell = "";
  };
  const endRecord = () => {
    endCell();
    if (wasQuoted || cells.length > 1 || cells[0].trim() !== "") records.push({ cells, line: recordLine });
    cells = [];
    wasQuoted = false;
  };

  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (char === '"') {
        quoted = false;
      } else {
        if (char === "\n" || (char === "\r" && text[i + 1] !== "\n")) line++;
        cell += char;
      }
    } else if (char === '"' && cell.trim() === "") {
      quoted = true;
      wasQuoted = true;
      cell = "";
    } else if (char === separator) {
      endCell();
    } else if (char === "\n" || char === "\r") {
      if (char === "\r" && text[i + 1] === "\n") i++;
      endRecord();
      line++;
      recordLine = line;
    } else {
      cell += char;
    }
  }
  if (quoted) throw new CsvError(`A quoted value that starts on line ${recordLine} is never closed`, recordLine);
  endRecord();
  return records;
}

/**
 * Reads CSV text as rows of the four features. A first record whose cells are not all numbers is
 * a header: it must name every feature (any order, other columns are ignored); names such as
 * "Sepal.Length", "sepal length (cm)" or "SepalLengthCm" are recognised. Without a header, rows
 * are sent as they are, in the feature order. Values that are not numbers are sent as text, so
 * that the API can say which cell is wrong.
 * @param {string} text
 * @param {readonly string[]} featureNames  in the API's column order
 * @returns {Batch}
 */
export function readBatch(text, featureNames) {
  const records = parseCsv(text);
  const first = records[0];
  const hasHeader = first !== undefined && first.cells.some((cell) => cell.trim() !== "" && !NUMBER.test(cell.trim()));
  /** @type {Map<string, number>} */
  const columnOf = new Map();
  /** @type {string[]} */
  const ignoredColumns = [];
  if (hasHeader) {
    first.cells.forEach((cell, index) => {
      const name = normaliseName(cell);
      if (featureNames.includes(name) && !columnOf.has(name)) columnOf.set(name, index);
      else ignoredColumns.push(cell.trim());
    });
    const missing = featureNames.filter((name) => !columnOf.has(name));
    if (missing.length > 0) {
      throw new CsvError(
        `Line ${first.line} looks like a header, but it does not name ${missing.join(", ")}. ` +
          `Name the columns ${featureNames.join(", ")}, or leave the header out and give them in that order.`,
        first.line,
      );
    }
  } else {
    featureNames.forEach((name, index) => columnOf.set(name, index));
  }
  const data = hasHeader ? records.slice(1) : records;
  const instances = data.map(({ cells }) =>
    hasHeader ? featureNames.map((name) => cellValue(cells[columnOf.get(name) ?? -1])) : cells.map(cellValue),
  );
  return {
    instances,
    lines: data.map((record) => record.line),
    records: data,
    header: hasHeader ? first.cells.map((cell) => cell.trim()) : null,
    columnOf,
    ignoredColumns,
  };
}

/**
 * Writes rows as CSV (comma-separated, CRLF line ends, quoted where needed). Text that a
 * spreadsheet would run as a formula (=, +, -, @ first) is prefixed with an apostrophe.
 * @param {Array<Array<string|number|null|undefined>>} rows
 */
export function toCsv(rows) {
  return rows.map((row) => row.map(csvField).join(",")).join("\r\n") + "\r\n";
}

/** @param {string|number|null|undefined} value */
function csvField(value) {
  if (value === null || value === undefined) return "";
  let text = String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(text) && !NUMBER.test(text.trim())) text = `'${text}`;
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** @param {string|undefined} cell  a number when it reads as one, else the trimmed text ("" when missing) */
function cellValue(cell) {
  const text = (cell ?? "").trim();
  return NUMBER.test(text) ? Number(text) : text;
}

/** "Sepal.Length", "sepal length (cm)", "SepalLengthCm" → "sepal_length" @param {string} name */
export function normaliseName(name) {
  return name
    .trim()
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .replace(/_(?:in_)?cm$/, "");
}

/** The most frequent of comma, semicolon and tab on the first non-blank line. @param {string} text */
function detectSeparator(text) {
  const firstLine = text.split(/\r\n|\n|\r/).find((line) => line.trim() !== "") ?? "";
  const counts = [",", ";", "\t"].map((separator) => [separator, firstLine.split(separator).length - 1]);
  counts.sort((a, b) => Number(b[1]) - Number(a[1]));
  return Number(counts[0][1]) > 0 ? String(counts[0][0]) : ",";
}
