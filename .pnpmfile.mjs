// Install hooks. @scalar/api-reference is used only for its prebuilt browser bundle
// (dist/browser/standalone.js, which carries everything it needs), served by apps/server for /docs.
// Its npm dependencies are the Vue sources that other bundlers build it from: with them, it would
// install 283 packages (some 300 MB) that nothing here loads.
function readPackage(pkg) {
  if (pkg.name === '@scalar/api-reference') pkg.dependencies = {};
  return pkg;
}

export const hooks = { readPackage };
