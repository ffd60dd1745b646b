export default { name: 'no create', profile: 'ucma-guide', create: 42 };
