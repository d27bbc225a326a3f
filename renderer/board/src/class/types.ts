// The classroom API's shapes, from the one file the hub and the page share
// (it has no imports, so it builds for the browser as it is).
export * from '../../../../server/classroom/api-types';
