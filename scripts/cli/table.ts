export interface Column<Row> {
  readonly header: string;
  readonly value: (row: Row) => unknown;
  /** Numbers read best right-aligned. */
  readonly align?: 'left' | 'right';
}

const cell = (value: unknown): string => (value === undefined || value === null ? '' : String(value));

/** Rows → an aligned plain-text table with a header rule, for terminals and logs alike. */
export const formatTable = <Row>(rows: readonly Row[], columns: readonly Column<Row>[]): string => {
  const cells = rows.map((row) => columns.map((column) => cell(column.value(row))));
  const widths = columns.map((column, index) =>
    Math.max(column.header.length, ...cells.map((line) => (line[index] ?? '').length)),
  );
  const render = (line: readonly string[]) =>
    line
      .map((text, index) => {
        const width = widths[index] ?? 0;
        return columns[index]?.align === 'right' ? text.padStart(width) : text.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  const header = render(columns.map((column) => column.header));
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  return [header, rule, ...cells.map(render)].join('\n');
};
