// The SDK captures a stack trace per promise under mocks; ts-node's source maps make each capture slow.
Error.stackTraceLimit = 0;
