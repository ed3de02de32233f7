// Stands in for core-js 2's ES5 polyfills (see vite.config.ts): the workspace's browsers have them built in.
export {};
