// A script an operator would write against a client generated from the served document
// (openapi-typescript types, openapi-fetch calls). apidoc.GeneratedClientTest generates
// schema.d.ts next to it, type-checks both with tsc and runs the result against a server.
// Every answer is also checked against the document: its status must be one the operation
// declares, and its body must match the declared schema (Ajv, JSON Schema 2020-12).
import { readFileSync } from "node:fs";
import createClient, { type Middleware } from "openapi-fetch";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import type { components, paths } from "./schema.js";

type Problem = components["schemas"]["Problem"];

const base = required("TENANTRY_URL");
const document = JSON.parse(readFileSync(required("TENANTRY_DOC"), "utf8"));

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set`);
  }
  return value;
}

const ajv = new Ajv2020({ strict: false, allErrors: true });
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;
addFormats(ajv);
ajv.addSchema(document, "openapi");

function resolve(node: any): any {
  while (node && typeof node.$ref === "string") {
    node = node.$ref.split("/").slice(1).reduce((at: any, key: string) => at?.[key], document);
  }
  return node;
}

const checked: string[] = [];

const contract: Middleware = {
  async onResponse({ request, response, schemaPath }) {
    const method = request.method.toLowerCase();
    const where = `${request.method} ${schemaPath} -> ${response.status}`;
    const operation = document.paths?.[schemaPath]?.[method];
    if (!operation) {
      throw new Error(`${where}: the document has no such operation`);
    }
    const declared = resolve(operation.responses?.[String(response.status)]);
    if (!declared) {
      throw new Error(`${where}: the document does not declare this status`);
    }
    const mediaType = (response.headers.get("content-type") ?? "").split(";")[0]!.trim();
    const content = declared.content?.[mediaType];
    const text = await response.clone().text();
    if (text.length > 0) {
      if (!content) {
        throw new Error(`${where}: answered ${mediaType}, which the document does not declare`);
      }
      const check = ajv.compile(rewrite(content.schema));
      if (!check(JSON.parse(text))) {
        throw new Error(`${where}: the body does not match the document: ${ajv.errorsText(check.errors)}\n${text}`);
      }
    }
    checked.push(where);
    return undefined;
  },
};

/** The document's local references, made to point into the schema registered as "openapi". */
function rewrite(node: any): any {
  if (Array.isArray(node)) {
    return node.map(rewrite);
  }
  if (node && typeof node === "object") {
    return Object.fromEntries(Object.entries(node).map(([key, value]) =>
      key === "$ref" && typeof value === "string" && value.startsWith("#/") ? [key, "openapi" + value] : [key, rewrite(value)]));
  }
  return node;
}

function expect(condition: boolean, message: string): asserts condition {
  if (!condition) {
    throw new Error(message);
  }
}

const open = createClient<paths>({ baseUrl: base });
open.use(contract);

const signIn = await open.POST("/api/auth/login", {
  body: { email: required("TENANTRY_EMAIL"), password: required("TENANTRY_PASSWORD") },
});
expect(signIn.data !== undefined, `sign-in failed: ${JSON.stringify(signIn.error)}`);
const token: string = signIn.data.token;

const api = createClient<paths>({ baseUrl: base, headers: { Authorization: `Bearer ${token}` } });
api.use(contract);

const suffix = Math.random().toString(36).slice(2, 8);
const acme = await api.POST("/api/organizations", {
  body: { name: `Acme ${suffix}`, billingRatePerAgent: "499.00", currency: "EUR", monthlyBudget: 2000 },
});
expect(acme.data !== undefined, `creating an organization failed: ${JSON.stringify(acme.error)}`);
const globex = await api.POST("/api/organizations", { body: { name: `Globex ${suffix}`, currency: "USD" } });
expect(globex.data !== undefined, `creating a second organization failed: ${JSON.stringify(globex.error)}`);

const agent = await api.POST("/api/agents", {
  body: { name: `Support bot ${suffix}`, model: "gpt-4o", clientOrgId: acme.data.id },
});
expect(agent.data !== undefined, `creating an agent failed: ${JSON.stringify(agent.error)}`);
const agentId: string = agent.data.id;
expect(agent.data.clientOrgId === acme.data.id, "the agent is not in the organization it was created in");

const moved = await api.POST("/api/agents/{id}/assign-org", {
  params: { path: { id: agentId } },
  body: { orgId: globex.data.id },
});
expect(moved.data?.clientOrgId === globex.data.id, `assigning the agent failed: ${JSON.stringify(moved.error)}`);

const agents = await api.GET("/api/agents", {
  params: { header: { "X-Org-Id": globex.data.id }, query: { limit: 10 } },
});
expect((agents.data?.items ?? []).some((a) => a.id === agentId), "Globex's agent list lacks its agent");

const summary = await api.GET("/api/organizations/{id}/billing-summary", {
  params: { path: { id: globex.data.id }, query: { months: 3 } },
});
expect(summary.data !== undefined, `the billing summary failed: ${JSON.stringify(summary.error)}`);
expect((summary.data.items ?? []).length > 0, "the billing summary has no month");

// The agent now belongs to Globex: in Acme's context it does not exist, and the typed error says so.
const elsewhere = await api.GET("/api/agents/{id}", {
  params: { path: { id: agentId }, header: { "X-Org-Id": acme.data.id } },
});
const problem: Problem | undefined = elsewhere.error;
expect(elsewhere.response.status === 404, `another org's agent answered ${elsewhere.response.status}`);
expect(problem?.status === 404 && typeof problem.title === "string", `the 404 is not a problem: ${JSON.stringify(problem)}`);

const refused = await api.POST("/api/organizations", { body: { name: "" } });
expect(refused.response.status === 400 && refused.error?.field === "name", `an empty name answered ${refused.response.status}`);

// The checker itself must be able to fail: an agent whose id is a number is not an Agent.
const agentSchema = ajv.compile(rewrite({ $ref: "#/components/schemas/Agent" }));
expect(!agentSchema({ ...agent.data, id: 42 }), "the contract check accepts a body that breaks the document");

console.log(JSON.stringify({ checked }));
