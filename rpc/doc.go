// Package rpc serves Mizan's public API (protobuf package mizan.v1, generated
// into gen/mizan/v1) over Connect, gRPC and gRPC-Web, with JSON and binary
// protobuf, on one HTTP handler.
//
// Handlers are thin: each turns a protobuf request into a mizan domain query,
// calls the catalog or query service, turns the result back into protobuf and
// maps any error with connectError, the one place where mizan error codes
// become transport codes. The mizan domain never imports protobuf; every
// conversion lives here.
//
// NewServer builds the handler: the two services, gRPC health checking,
// gRPC server reflection (v1 and v1alpha), metrics in the Prometheus text
// format at /metrics, request logging, a request size limit and an optional
// dashboard at "/".
// Serve runs it on an http.Server that speaks HTTP/1.1, HTTP/2 over TLS-less
// connections (h2c, so gRPC works on loopback) and shuts down gracefully.
//
// List RPCs page with opaque tokens (see pagetoken.go): a token pins the
// dataset version of the first page and only works with the request that
// produced it.
package rpc
