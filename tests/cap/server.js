#!/usr/bin/env node
// Starts the CAP peer of the end-to-end tests: the ShopService of this
// directory over an in-memory SQLite database (the sql.js driver: no native
// build), seeded from db/data/*.csv, listening on 127.0.0.1 only.
//
//   node server.js [--port <n>] [--exit-with-stdin]
//
// Prints `READY <port>` on stdout once it listens (port 0: the OS picks).
// With --exit-with-stdin it exits when its standard input reaches end of
// file, so that it dies with the test process that holds the pipe.
'use strict'

const http = require('node:http')
const path = require('node:path')
const { format, parseArgs } = require('node:util')

const { values: options } = parseArgs({
  options: {
    port: { type: 'string', default: '4004' },
    'exit-with-stdin': { type: 'boolean', default: false },
  },
})
const port = Number(options.port)
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be a port number, not ${options.port}`)
  process.exit(2)
}
if (options['exit-with-stdin']) {
  process.stdin.on('end', () => process.exit(0))
  process.stdin.on('error', () => process.exit(0))
  process.stdin.resume()
}

// stdout carries the READY line alone: CAP's console output goes to stderr
// (the harness keeps it in a log file).
const toStderr = (...args) => process.stderr.write(format(...args) + '\n')
console.log = console.info = console.debug = toStderr

// The project lives beside this file, wherever the command runs from;
// node_modules may be elsewhere, named by NODE_PATH, which must then be
// absolute (Node.js would resolve it against the new directory).
const relative = (process.env.NODE_PATH || '').split(path.delimiter).filter((dir) => dir && !path.isAbsolute(dir))
if (relative.length > 0) {
  console.error(`NODE_PATH must hold absolute paths, not ${relative.join(', ')}`)
  process.exit(2)
}
process.chdir(__dirname)
const cds = require('@sap/cds')

// cds.server listens on every interface: bind the loopback interface only,
// and say when it listens (or why it cannot).
cds.on('bootstrap', (app) => {
  app.listen = (listenPort, callback) => {
    const server = http.createServer(app)
    server.once('listening', () => process.stdout.write(`READY ${server.address().port}\n`))
    server.once('error', (error) => {
      console.error(`cannot listen on 127.0.0.1:${listenPort}: ${error.message}`)
      process.exit(1)
    })
    return server.listen(listenPort, '127.0.0.1', callback)
  }
})

cds.server({ port, in_memory: true, from: [path.join(__dirname, 'srv')] }).catch((error) => {
  console.error(error)
  process.exit(1)
})
