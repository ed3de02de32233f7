// A core-js 2 polyfill module in a Lambda bundle: Node 24 has the feature, nothing to add.
