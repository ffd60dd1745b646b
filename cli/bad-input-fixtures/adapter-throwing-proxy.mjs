// Every property read of the default export throws.
export default new Proxy(
  {},
  {
    get() {
      throw new Error('no property here');
    },
  },
);
