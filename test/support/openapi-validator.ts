/**
 * Validates HTTP requests and responses against GitHub's published OpenAPI description (the
 * @octokit/openapi package, api.github.com.json). Our own validator over the document with ajv: it finds the
 * operation for a method and path, checks path and query parameters (declared, required, typed) and the JSON
 * body, and checks a response body against the schema declared for its status.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

const require = createRequire(import.meta.url);

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Record<string, unknown>;
}

interface Operation {
  operationId: string;
  parameters?: (Parameter | { $ref: string })[];
  requestBody?: { required?: boolean; content: Record<string, { schema: Record<string, unknown> }> };
  responses: Record<string, { $ref?: string; content?: Record<string, { schema: Record<string, unknown> }> }>;
}

interface Route {
  method: string;
  template: string;
  segments: string[];
  operation: Operation;
}

export interface Match {
  operationId: string;
  template: string;
  params: Record<string, string>;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head'];

/** OpenAPI 3.0 'nullable' → JSON Schema: ajv only accepts 'nullable' next to 'type'. */
function toJsonSchema(node: unknown, refPrefix: string): unknown {
  if (Array.isArray(node)) return node.map((n) => toJsonSchema(n, refPrefix));
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
    if (k === 'example' || k === 'examples' || k.startsWith('x-')) continue;
    if (k === '$ref' && typeof v === 'string' && v.startsWith('#/')) out[k] = `${refPrefix}${v}`;
    else out[k] = toJsonSchema(v, refPrefix);
  }
  if (out.nullable === true) {
    delete out.nullable;
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    else return { anyOf: [out, { type: 'null' }] };
  } else if ('nullable' in out) delete out.nullable;
  return out;
}

export class OpenApiValidator {
  private readonly doc: { paths: Record<string, Record<string, Operation>>; components: Record<string, Record<string, unknown>> };
  private readonly routes: Route[] = [];
  private readonly ajv: Ajv;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(file = require.resolve('@octokit/openapi/generated/api.github.com.json')) {
    this.doc = JSON.parse(readFileSync(file, 'utf8'));
    for (const [template, item] of Object.entries(this.doc.paths)) {
      for (const m of METHODS) {
        const op = item[m];
        if (op) this.routes.push({ method: m.toUpperCase(), template, segments: template.split('/').slice(1), operation: op });
      }
    }
    this.ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
    addFormats.default(this.ajv);
    this.ajv.addSchema({ $id: 'gh', components: toJsonSchema(this.doc.components, 'gh') as object });
  }

  get operationCount(): number {
    return this.routes.length;
  }

  /** The operation for a method and path (no query), literal segments winning over parameters. */
  match(method: string, path: string): Match | undefined {
    const segs = path.split('/').slice(1).map((s) => decodeURIComponent(s));
    let best: { route: Route; params: Record<string, string>; literals: number } | undefined;
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const params: Record<string, string> = {};
      let literals = 0;
      let ok = true;
      const last = route.segments.length - 1;
      // A trailing {path} parameter takes the rest of the path, slashes included (contents API).
      const greedy = route.segments[last] === '{path}';
      if (greedy ? segs.length < route.segments.length : segs.length !== route.segments.length) continue;
      for (let i = 0; i < route.segments.length && ok; i++) {
        const t = route.segments[i];
        const p = t.match(/^\{([^}]+)\}$/);
        if (p) {
          const value = greedy && i === last ? segs.slice(i).join('/') : segs[i];
          if (!value) ok = false;
          params[p[1]] = value;
        } else if (t === segs[i]) literals++;
        else ok = false;
      }
      if (ok && (!best || literals > best.literals)) best = { route, params, literals };
    }
    return best ? { operationId: best.route.operation.operationId, template: best.route.template, params: best.params } : undefined;
  }

  private operation(m: Match, method: string): Operation {
    return this.doc.paths[m.template][method.toLowerCase()];
  }

  private parameters(op: Operation): Parameter[] {
    return (op.parameters ?? []).map((p) => ('$ref' in p ? (this.doc.components.parameters[p.$ref.split('/').pop()!] as Parameter) : p));
  }

  private validator(key: string, schema: unknown): ValidateFunction {
    let v = this.compiled.get(key);
    if (!v) {
      v = this.ajv.compile(toJsonSchema(schema, 'gh') as object);
      this.compiled.set(key, v);
    }
    return v;
  }

  private check(key: string, schema: unknown, value: unknown, what: string): string[] {
    const v = this.validator(key, schema);
    if (v(value)) return [];
    return (v.errors ?? []).slice(0, 5).map((e) => `${what}${e.instancePath} ${e.message ?? ''}`.trim());
  }

  private coerce(schema: Record<string, unknown> | undefined, raw: string): unknown {
    const type = schema?.type;
    if (type === 'integer' || type === 'number') return /^-?\d+(?:\.\d+)?$/.test(raw) ? Number(raw) : raw;
    if (type === 'boolean') return raw === 'true' ? true : raw === 'false' ? false : raw;
    return raw;
  }

  /** Problems with a request; empty when it conforms. */
  validateRequest(method: string, url: URL, headers: Record<string, string | string[] | undefined>, body: string): { match?: Match; problems: string[] } {
    const match = this.match(method, url.pathname);
    if (!match) return { problems: [`${method} ${url.pathname}: no such operation in api.github.com's OpenAPI description`] };
    const op = this.operation(match, method);
    const problems: string[] = [];
    const params = this.parameters(op);
    for (const p of params.filter((x) => x.in === 'path')) {
      problems.push(...this.check(`${op.operationId}:path:${p.name}`, p.schema ?? {}, this.coerce(p.schema, match.params[p.name] ?? ''), `path parameter ${p.name}`));
    }
    const declared = new Map(params.filter((x) => x.in === 'query').map((p) => [p.name, p]));
    for (const [k, v] of url.searchParams) {
      const p = declared.get(k);
      if (!p) problems.push(`query parameter ${k} is not declared for ${op.operationId}`);
      else problems.push(...this.check(`${op.operationId}:query:${k}`, p.schema ?? {}, this.coerce(p.schema, v), `query parameter ${k}`));
    }
    for (const p of declared.values()) if (p.required && !url.searchParams.has(p.name)) problems.push(`query parameter ${p.name} is required`);
    if (op.requestBody) {
      const json = op.requestBody.content['application/json'];
      if (!body) {
        if (op.requestBody.required) problems.push('a request body is required');
      } else {
        const ct = String(headers['content-type'] ?? '');
        if (json && !ct.includes('json')) problems.push(`content-type ${ct} is not JSON`);
        let parsed: unknown;
        try {
          parsed = JSON.parse(body);
        } catch {
          problems.push('the request body is not JSON');
        }
        if (json && parsed !== undefined) problems.push(...this.check(`${op.operationId}:body`, json.schema, parsed, 'body'));
      }
    } else if (body && method !== 'GET') {
      problems.push(`${op.operationId} takes no request body`);
    }
    return { match, problems };
  }

  /** Problems with a response body we are about to send (keeps the double honest). */
  validateResponse(match: Match, method: string, status: number, body: unknown): string[] {
    const op = this.operation(match, method);
    let res = op.responses[String(status)];
    if (!res) return [`${op.operationId} declares no ${status} response`];
    if (res.$ref) res = this.doc.components.responses[res.$ref.split('/').pop()!] as typeof res;
    const content = res.content?.['application/json'];
    if (!content) return body === undefined || body === '' ? [] : [`${op.operationId} ${status} declares no JSON body`];
    return this.check(`${op.operationId}:response:${status}`, content.schema, body, `response ${status}`);
  }
}
