//! Element Plus types every table slot's `row` as an untyped record; a cell template annotates
//! `{ row }: { row: TableRow<Agent> }` to say what the row is. (It has to stay assignable from
//! Element Plus's DefaultRow, hence the `any`: the name documents, the compiler cannot check.)

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TableRow<T> = T & any;
