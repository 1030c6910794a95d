'use strict';
/**
 * The runtime inside one function instance (a worker thread), playing the part of Lambda's Node.js
 * runtime interface client: it loads the handler module once (the init phase), then runs one
 * invocation per `invoke` message and answers with a `result` message. Both answers carry the
 * instance's heap size, so the runner can report each function's memory.
 *
 * Plain JavaScript on purpose: a Worker loads its file with Node's own loader, outside ts-jest
 * and ts-node, so this file must need no compilation. The protocol is typed in worker-protocol.ts.
 */
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const v8 = require('node:v8');
const { parentPort, workerData } = require('node:worker_threads');

const { codeDirectory, handler: handlerSetting, sdkModulesDirectory, endMarker, crashes } = workerData;

/**
 * Test-only fault switch (local/faults.ts, LocalFunctionFaults): each outbound HTTP request (every AWS SDK call
 * goes through node:http's or node:https' request) kills this instance with the given chance, half the time
 * before the request leaves and half once its response arrived, when the call has taken effect and the
 * handler never learns it. process.exit in a worker thread ends the thread only: Lambda's crashed sandbox.
 */
function injectCrashes({ probabilityPerCall, exitCode, timing }) {
  const crash = (when) => {
    process.stderr.write(`local fault switch: this instance crashes ${when}\n`);
    process.exit(exitCode);
  };
  for (const name of ['node:http', 'node:https']) {
    const transport = require(name);
    const request = transport.request;
    transport.request = function requestWithCrashes(...args) {
      if (Math.random() >= probabilityPerCall) {
        return request.apply(this, args);
      }
      if (timing === 'beforeRequest' || (timing !== 'afterResponse' && Math.random() < 0.5)) {
        crash('before an HTTP request left');
      }
      const outgoing = request.apply(this, args);
      outgoing.prependListener('response', () => crash('once an HTTP response arrived'));
      return outgoing;
    };
  }
}

if (crashes && crashes.probabilityPerCall > 0) {
  injectCrashes(crashes);
}

/**
 * Lambda's runtime provides the AWS SDK through NODE_PATH; our bundles keep it external. NODE_PATH
 * is read when the loader starts, and pushing onto Module.globalPaths has no effect (Node copies
 * that array), so the directory goes into NODE_PATH and the loader re-reads it.
 */
function provideSdkModules() {
  const entries = (process.env.NODE_PATH || '').split(path.delimiter).filter(Boolean);
  if (!entries.includes(sdkModulesDirectory)) {
    entries.push(sdkModulesDirectory);
  }
  process.env.NODE_PATH = entries.join(path.delimiter);
  Module._initPaths();
}

/** Lambda's error object: the Error's name and message and its stack split in lines; other values by type. */
function errorPayload(error, errorType) {
  if (error instanceof Error || (error && typeof error === 'object' && typeof error.message === 'string')) {
    return {
      errorType: errorType || error.name || 'Error',
      errorMessage: error.message,
      trace: typeof error.stack === 'string' ? error.stack.split('\n') : [],
    };
  }
  return { errorType: errorType || typeof error, errorMessage: String(error), trace: [] };
}

class InitError extends Error {
  constructor(errorType, message, cause) {
    super(message);
    this.errorType = errorType;
    this.cause = cause;
  }
}

/** `src/app.handler` -> module `src/app`, export path `handler` (dots after the first one walk nested exports, as Lambda does). */
function parseHandlerSetting(setting) {
  const slash = setting.lastIndexOf('/');
  const directory = setting.slice(0, slash + 1);
  const base = setting.slice(slash + 1);
  const dot = base.indexOf('.');
  if (dot <= 0 || dot === base.length - 1) {
    throw new InitError('Runtime.MalformedHandlerName', 'Bad handler');
  }
  return { modulePath: directory + base.slice(0, dot), exportPath: base.slice(dot + 1).split('.') };
}

/** Lambda looks for `<module>.js`, `.mjs` and `.cjs` in the task root, then lets Node resolve the name. */
async function loadModule(modulePath) {
  const base = path.resolve(codeDirectory, modulePath);
  const file = ['.js', '.mjs', '.cjs'].map((extension) => base + extension).find((candidate) => fs.existsSync(candidate));
  try {
    if (file && file.endsWith('.mjs')) {
      return await import(pathToFileURL(file).href);
    }
    try {
      return require(file || base);
    } catch (error) {
      // An ES module in a .js file (package.json "type": "module") cannot be required on Node 20.
      if (file && error && error.code === 'ERR_REQUIRE_ESM') {
        return await import(pathToFileURL(file).href);
      }
      throw error;
    }
  } catch (error) {
    if (error && error.code === 'MODULE_NOT_FOUND' && !file && String(error.message).includes(base)) {
      throw new InitError('Runtime.ImportModuleError', `Error: Cannot find module '${modulePath}'`, error);
    }
    if (error instanceof SyntaxError) {
      throw new InitError('Runtime.UserCodeSyntaxError', `${error.name}: ${error.message}`, error);
    }
    if (error && error.code === 'MODULE_NOT_FOUND') {
      throw new InitError('Runtime.ImportModuleError', `Error: ${error.message}`, error);
    }
    throw error;
  }
}

async function loadHandler() {
  provideSdkModules();
  const { modulePath, exportPath } = parseHandlerSetting(handlerSetting);
  let target = await loadModule(modulePath);
  for (const key of exportPath) {
    target = target == null ? undefined : target[key];
  }
  if (typeof target !== 'function') {
    throw new InitError('Runtime.HandlerNotFound', `${handlerSetting} is undefined or not exported`);
  }
  return target;
}

function contextFor(message) {
  return {
    ...message.context,
    awsRequestId: message.requestId,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, message.deadline - Date.now()),
  };
}

/**
 * Runs the handler the ways Lambda's Node.js runtime allows: returning a promise, or calling the
 * callback (or the legacy context.succeed/fail/done). The first outcome wins.
 */
function runHandler(handler, event, context) {
  return new Promise((resolve) => {
    let settled = false;
    const succeed = (value) => settle({ ok: true, value });
    const fail = (error) => settle({ ok: false, error });
    function settle(outcome) {
      if (!settled) {
        settled = true;
        resolve(outcome);
      }
    }
    const callback = (error, value) => (error === undefined || error === null ? succeed(value) : fail(error));
    context.succeed = succeed;
    context.fail = fail;
    context.done = callback;
    try {
      const returned = handler(event, context, callback);
      if (returned && typeof returned.then === 'function') {
        returned.then(succeed, fail);
      } else if (handler.length < 3) {
        // A synchronous handler that takes no callback has finished; Lambda answers null for it.
        succeed(undefined);
      }
    } catch (error) {
      fail(error);
    }
  });
}

function serializeResult(outcome) {
  if (!outcome.ok) {
    return { error: errorPayload(outcome.error) };
  }
  try {
    // Lambda answers `null` for a handler that returned nothing.
    const payloadJson = JSON.stringify(outcome.value === undefined ? null : outcome.value);
    return { payloadJson: payloadJson === undefined ? 'null' : payloadJson };
  } catch (error) {
    return { error: errorPayload(error, 'Runtime.MarshalError') };
  }
}

/**
 * Writes the end-of-invocation marker to a stream; the write callback fires once the parent
 * thread has taken the chunk, so every log line of the invocation is in before the result.
 */
function writeMarker(stream, requestId) {
  return new Promise((resolve) => stream.write(`${endMarker}${requestId}\n`, () => resolve()));
}

/** Lambda reports a promise nobody awaited that rejects as Runtime.UnhandledPromiseRejection, and the instance dies. */
process.on('unhandledRejection', (reason) => {
  const error = new Error(reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason));
  error.name = 'Runtime.UnhandledPromiseRejection';
  throw error;
});

/** Lambda's error object for a failed init, named as Lambda names it (Runtime.ImportModuleError, ...). */
function initErrorPayload(error) {
  if (!(error instanceof InitError)) {
    return errorPayload(error);
  }
  return { ...errorPayload(error.cause || error, error.errorType), errorMessage: error.message };
}

/**
 * What this instance's V8 heap holds now, reported after the init phase and after each invocation: per isolate (each
 * worker thread has its own, unlike process.memoryUsage() which is the whole host process) and cheap enough to read
 * every time. Garbage not yet collected counts too, so it rises and falls between collections.
 */
function heapUsedBytes() {
  return v8.getHeapStatistics().used_heap_size;
}

function writeMarkers(tag) {
  return Promise.all([writeMarker(process.stdout, tag), writeMarker(process.stderr, tag)]);
}

/** The init phase runs once, when the instance starts; its outcome is reported with the `init` tag. */
const handlerReady = loadHandler();
handlerReady
  .then(() => ({}), (error) => ({ error: initErrorPayload(error) }))
  .then(async (answer) => {
    await writeMarkers('init');
    parentPort.postMessage({ type: 'initialized', ...answer, heapUsedBytes: heapUsedBytes() });
  });

parentPort.on('message', async (message) => {
  if (message.type !== 'invoke') {
    return;
  }
  const handler = await handlerReady;
  const answer = serializeResult(await runHandler(handler, JSON.parse(message.eventJson), contextFor(message)));
  await writeMarkers(message.requestId);
  parentPort.postMessage({ type: 'result', requestId: message.requestId, ...answer, heapUsedBytes: heapUsedBytes() });
});
