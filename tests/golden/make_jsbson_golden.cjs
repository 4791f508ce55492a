// What Rocket.Chat's server writes for each BSON type: the value is stored as BSON, read back
// the way the Node driver reads documents (js-bson's deserialize with the driver's defaults),
// and written with JSON.stringify, as the REST API does. Run through `make golden-jsbson`,
// which installs the bson package Rocket.Chat 7.x resolves (see the Makefile) into build/.
//
//   node tests/golden/make_jsbson_golden.cjs <dir holding node_modules/bson> > tests/golden/jsbson.json
"use strict";
const path = require("path");
const bsonDir = path.resolve(process.argv[2] || ".");
const bson = require(path.join(bsonDir, "node_modules", "bson"));
const { BSON, EJSON } = bson;
const { version } = require(path.join(bsonDir, "node_modules", "bson", "package.json"));

// The Node driver's read defaults (mongodb 6.x): promoteLongs, promoteValues, no
// promoteBuffers, no bsonRegExp.
const DRIVER = { promoteLongs: true, promoteValues: true, promoteBuffers: false, bsonRegExp: false };
const OID = "56e1fc72e0c917e9c4714161";

// [name, canonical Extended JSON of the value, how to build it when EJSON.parse cannot]
const CASES = [
  ["double 1.5", '{"$numberDouble": "1.5"}'],
  ["double 2.0", '{"$numberDouble": "2.0"}'],
  ["double -0.0", '{"$numberDouble": "-0.0"}'],
  ["double 1e21", '{"$numberDouble": "1.0E+21"}'],
  ["double 1e-7", '{"$numberDouble": "1.0E-7"}'],
  ["double 5e-324", '{"$numberDouble": "5.0E-324"}'],
  ["double 1.2345678921232E+18", '{"$numberDouble": "1.2345678921232E+18"}'],
  ["double NaN", '{"$numberDouble": "NaN"}'],
  ["double Infinity", '{"$numberDouble": "Infinity"}'],
  ["double -Infinity", '{"$numberDouble": "-Infinity"}'],
  ["int32 7", '{"$numberInt": "7"}'],
  ["int32 min", '{"$numberInt": "-2147483648"}'],
  ["int64 42", '{"$numberLong": "42"}'],
  ["int64 2^53", '{"$numberLong": "9007199254740992"}'],
  ["int64 -2^53", '{"$numberLong": "-9007199254740992"}'],
  ["int64 2^53+1", '{"$numberLong": "9007199254740993"}'],
  ["int64 -2^53-1", '{"$numberLong": "-9007199254740993"}'],
  ["int64 max", '{"$numberLong": "9223372036854775807"}'],
  ["int64 min", '{"$numberLong": "-9223372036854775808"}'],
  ["decimal 1.10", '{"$numberDecimal": "1.10"}'],
  ["decimal -0", '{"$numberDecimal": "-0"}'],
  ["decimal NaN", '{"$numberDecimal": "NaN"}'],
  ["decimal Infinity", '{"$numberDecimal": "Infinity"}'],
  ["decimal -Infinity", '{"$numberDecimal": "-Infinity"}'],
  ["decimal -1.00E-8", '{"$numberDecimal": "-1.00E-8"}'],
  ["decimal 0.000001234", '{"$numberDecimal": "0.000001234"}'],
  ["decimal 1.230000000000000000000000000000000E+6144",
   '{"$numberDecimal": "1.230000000000000000000000000000000E+6144"}'],
  ["decimal 1E-6176", '{"$numberDecimal": "1E-6176"}'],
  ["decimal 12345678901234567890.12345678901234", '{"$numberDecimal": "12345678901234567890.12345678901234"}'],
  ["string", '"caf\\u00e9 \\u2606"'],
  ["string with nul", '"a\\u0000b"'],
  ["object", '{"a": {"$numberInt": "1"}, "b": [{"$numberInt": "2"}, "c"]}'],
  ["empty object", "{}"],
  ["array", '[{"$numberInt": "1"}, "x", null, {"a": true}]'],
  ["empty array", "[]"],
  ["binary subtype 0", '{"$binary": {"base64": "AP8=", "subType": "00"}}'],
  ["binary subtype 0 empty", '{"$binary": {"base64": "", "subType": "00"}}'],
  ["binary subtype 1", '{"$binary": {"base64": "//8=", "subType": "01"}}'],
  ["binary subtype 2", '{"$binary": {"base64": "//8=", "subType": "02"}}'],
  ["binary subtype 3", '{"$binary": {"base64": "c//SZESzTGmQ6OfR38A11A==", "subType": "03"}}'],
  ["binary subtype 4 uuid", '{"$binary": {"base64": "c//SZESzTGmQ6OfR38A11A==", "subType": "04"}}'],
  ["binary subtype 4 not 16 bytes", '{"$binary": {"base64": "AQID", "subType": "04"}}',
   { make: () => new bson.Binary(Buffer.from([1, 2, 3]), 4) }],
  ["binary subtype 5", '{"$binary": {"base64": "c//SZESzTGmQ6OfR38A11A==", "subType": "05"}}'],
  ["binary subtype 6", '{"$binary": {"base64": "AQID", "subType": "06"}}'],
  ["binary subtype 7", '{"$binary": {"base64": "c//SZESzTGmQ6OfR38A11A==", "subType": "07"}}'],
  ["binary subtype 8", '{"$binary": {"base64": "c//SZESzTGmQ6OfR38A11A==", "subType": "08"}}'],
  ["binary subtype 9", '{"$binary": {"base64": "AwB/Bw==", "subType": "09"}}'],
  ["binary subtype 0x80", '{"$binary": {"base64": "//8=", "subType": "80"}}'],
  ["objectId", `{"$oid": "${OID}"}`],
  ["bool true", "true"],
  ["bool false", "false"],
  ["null", "null"],
  ["date epoch", '{"$date": {"$numberLong": "0"}}'],
  ["date 2012-12-24T12:15:30.501Z", '{"$date": {"$numberLong": "1356351330501"}}'],
  ["date 1960-12-24T12:15:30.499Z", '{"$date": {"$numberLong": "-284643869501"}}'],
  ["date 0001-01-01", '{"$date": {"$numberLong": "-62135596800000"}}'],
  ["date 9999-12-31T23:59:59.999Z", '{"$date": {"$numberLong": "253402300799999"}}'],
  ["date Y10K", '{"$date": {"$numberLong": "253402300800000"}}'],
  ["date year -1", '{"$date": {"$numberLong": "-62198755200000"}}'],
  ["date JS maximum", '{"$date": {"$numberLong": "8640000000000000"}}'],
  ["date JS minimum", '{"$date": {"$numberLong": "-8640000000000000"}}'],
  ["date past JS maximum", '{"$date": {"$numberLong": "8640000000000001"}}',
   { ejson: '{"$numberLong": "8640000000000001"}', type: 0x09 }],
  ["timestamp", '{"$timestamp": {"t": 123456789, "i": 42}}'],
  ["timestamp max", '{"$timestamp": {"t": 4294967295, "i": 4294967295}}'],
  ["regex", '{"$regularExpression": {"pattern": "^a", "options": "i"}}'],
  ["regex imx", '{"$regularExpression": {"pattern": "ab/cd", "options": "imx"}}'],
  ["minKey", '{"$minKey": 1}'],
  ["maxKey", '{"$maxKey": 1}'],
  ["code", '{"$code": "function() {}"}'],
  ["code with scope", '{"$code": "x", "$scope": {"a": {"$numberInt": "1"}}}'],
  ["dbref", `{"$ref": "collection", "$id": {"$oid": "${OID}"}}`],
  ["dbref with db", `{"$ref": "collection", "$id": {"$oid": "${OID}"}, "$db": "db"}`],
  ["dbref with db and fields",
   '{"$ref": "collection", "$id": {"$numberInt": "42"}, "$db": "db", "foo": "bar"}'],
  ["dbref-like with other dollar key",
   `{"$ref": "not-a-dbref", "$id": {"$oid": "${OID}"}, "$banana": "peel"}`],
  ["dbref-like with non-string db", `{"$ref": "c", "$id": {"$oid": "${OID}"}, "$db": {"$numberInt": "1"}}`],
  ["symbol", '{"$symbol": "sym"}'],
  ["undefined", '{"$undefined": true}', { ejson: "null", type: 0x06 }],
  ["dbPointer", `{"$dbPointer": {"$ref": "b", "$id": {"$oid": "${OID}"}}}`, { dbPointer: ["b", OID] }],
];

function bytesOf(ejson, build) {
  if (build && build.dbPointer) {
    const [ref, oid] = build.dbPointer;
    const refBytes = Buffer.from(ref, "utf8");
    const body = Buffer.concat([
      Buffer.from([0x0c]), Buffer.from("v\0", "latin1"),
      Buffer.from(new Int32Array([refBytes.length + 1]).buffer), refBytes, Buffer.from([0]),
      Buffer.from(oid, "hex"), Buffer.from([0]),
    ]);
    const size = Buffer.from(new Int32Array([body.length + 4]).buffer);
    return Buffer.concat([size, body]);
  }
  const doc = build && build.make ? { v: build.make() }
    : EJSON.parse(`{"v": ${build ? build.ejson : ejson}}`, { relaxed: false });
  const bytes = Buffer.from(BSON.serialize(doc));
  if (build && build.type) bytes[4] = build.type; // the first element's type byte
  return bytes;
}

const cases = CASES.map(([name, ejson, build]) => {
  const doc = BSON.deserialize(bytesOf(ejson, build), DRIVER);
  return { name, ejson, json: JSON.stringify(doc) };
});
const out = {
  about: "JSON.stringify of each BSON value as the Node driver reads it (BSON.deserialize with " +
    "promoteLongs, promoteValues, no promoteBuffers, no bsonRegExp), as {\"v\": value}; " +
    "made by tests/golden/make_jsbson_golden.cjs (make golden-jsbson)",
  bson_version: version,
  node_version: process.version,
  driver_options: DRIVER,
  cases,
};
process.stdout.write(JSON.stringify(out, null, 1) + "\n");
