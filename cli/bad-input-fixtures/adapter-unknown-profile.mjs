export default { name: 'bad profile', profile: 'ucma-imaginary', create() {} };
