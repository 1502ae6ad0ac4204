import { parseCsv, readBatch, toCsv, normaliseName } from "FRONTEND/csv.js";
import { predict, parseLocation, ApiError, NetworkError, apiUrl } from "FRONTEND/client.js";
import { rulesFrom } from "FRONTEND/openapi.js";
import { FEATURES } from "FRONTEND/contract.js";
import assert from "node:assert/strict";
import fs from "node:fs";
const names = FEATURES.map(f => f.name);

assert.deepEqual(parseCsv('a,b\r\n\r\n"x, ""y""",2\n"multi\nline",3\n'), [
  {cells:["a","b"], line:1}, {cells:['x, "y"',"2"], line:3}, {cells:["multi\nline","3"], line:4}]);
assert.deepEqual(parseCsv("1;2;3;4\n5;6;7;8").map(r=>r.cells), [["1","2","3","4"],["5","6","7","8"]]);
assert.deepEqual(parseCsv("1\t2\n").map(r=>r.cells), [["1","2"]]);
for (const [n, want] of [["Sepal.Length","sepal_length"],["sepal length (cm)","sepal_length"],["SepalLengthCm","sepal_length"],["petal_width","petal_width"],["Species","species"]]) assert.equal(normaliseName(n), want);
let b = readBatch("Id,SepalLengthCm,SepalWidthCm,PetalLengthCm,PetalWidthCm,Species\n1,5.1,3.5,1.4,0.2,Iris-setosa\n\n2,7,x,,1.4,Iris-versicolor\n", names);
assert.deepEqual(b.instances, [[5.1,3.5,1.4,0.2],[7,"x","",1.4]]); assert.deepEqual(b.lines,[2,4]); assert.deepEqual(b.ignoredColumns,["Id","Species"]);
b = readBatch("petal_width,petal_length,sepal_width,sepal_length\n0.2,1.4,3.5,5.1\n", names);
assert.deepEqual(b.instances, [[5.1,3.5,1.4,0.2]]);
b = readBatch("5.1,3.5,1.4,0.2\n6,3,4\n", names);
assert.deepEqual(b.instances, [[5.1,3.5,1.4,0.2],[6,3,4]]); assert.equal(b.header, null);
assert.throws(() => readBatch("a,b,c,d\n1,2,3,4", names), /does not name sepal_length, sepal_width, petal_length, petal_width/);
assert.equal(toCsv([["a","=SUM(1)","-1",-2,'q"x',"x,y",null]]), `a,'=SUM(1),-1,-2,"q""x","x,y",\r\n`);
assert.deepEqual(parseLocation("instances[0][1] (sepal_width)"), {row:0,column:1,field:"sepal_width"});
assert.deepEqual(parseLocation("instances[3].petal_width"), {row:3,field:"petal_width"});
assert.deepEqual(parseLocation("instances[2]"), {row:2});
assert.deepEqual(parseLocation("instances"), {}); assert.deepEqual(parseLocation("body"), {});
assert.equal(apiUrl("https://x.example/Prod/", "/predict"), "https://x.example/Prod/predict");
assert.throws(() => apiUrl("127.0.0.1:3000", "/predict"), TypeError);
const rules = rulesFrom(JSON.parse(fs.readFileSync("FRONTEND/../docs/openapi.json")), "x");
assert.equal(rules.maxRows, 10000); assert.equal(rules.minRows, 1);
assert.deepEqual([...rules.fields.keys()], names);
assert.deepEqual(rules.fields.get("sepal_width"), {name:"sepal_width", title:"Sepal Width", description:"centimetres", minimum:0, maximum:30});

// against the real local stack (Node: no CORS, so only unreachable is possible)
const ok = await predict([[5.1,3.5,1.4,0.2],[6.2,2.9,4.3,1.3],[7.7,3.0,6.1,2.3]], {baseUrl:process.env.API_URL});
assert.deepEqual(ok.predictions, [0,1,2]); assert.ok(ok.requestId); assert.equal(ok.variant, "primary");
try { await predict([[1,2,3,400]], {baseUrl:process.env.API_URL}); assert.fail(); } catch (e) {
  assert.ok(e instanceof ApiError); assert.equal(e.status, 422); assert.equal(e.errors[0].location, "instances[0][3] (petal_width)"); assert.ok(e.requestId); }
try { await predict([[1,2,3,4]], {baseUrl:"http://127.0.0.1:3999"}); assert.fail(); } catch (e) {
  assert.ok(e instanceof NetworkError, String(e)); assert.equal(e.reason, "unreachable"); }
const ctl = new AbortController(); const p = predict([[1,2,3,4]], {baseUrl:process.env.API_URL, signal: ctl.signal}); ctl.abort();
await assert.rejects(p, {name: "AbortError"});
console.log("all unit checks passed");
