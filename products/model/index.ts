/** The model of WSO2's configuration (see catalog.ts) and the check that judges a file against it. */
export * from "./catalog";
export * from "./check";
export * from "./tls";
export { keySet, loadKeys, loadShippedKeys, type KeySet, type ShippedClass, type ShippedKey } from "./keys";
