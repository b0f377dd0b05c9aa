/** An Io for `main` that keeps what the CLI writes, stdout and stderr apart (not a terminal). */
const capture = () => {
  let out = '';
  let err = '';
  return {
    io: {
      stdout: { write: (text: string) => (out += text), isTTY: false },
      stderr: { write: (text: string) => (err += text) },
      env: {},
    },
    out: () => out,
    err: () => err,
  };
};

export { capture };
