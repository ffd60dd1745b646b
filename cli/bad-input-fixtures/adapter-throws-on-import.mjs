throw new Error('this module refuses to load');
