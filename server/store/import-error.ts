// What every `lanboard import` source reader throws when its source cannot be
// imported at all: the CLI prints the message as one line and exits 2.
export class ImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportError';
  }
}
