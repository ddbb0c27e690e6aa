import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { REQUIRED_ENV as required, problemsOf } from './support/config-env.ts';

describe('the operator endpoint settings', () => {
  it('is off unless HTTP_PORT is set, and listens on loopback only unless told otherwise', () => {
    expect(loadConfig(required)).toMatchObject({ httpPort: undefined, httpHost: '127.0.0.1' });
    expect(loadConfig({ ...required, HTTP_PORT: ' ' }).httpPort).toBeUndefined();
    expect(loadConfig({ ...required, HTTP_PORT: '9464', HTTP_HOST: '0.0.0.0' })).toMatchObject({ httpPort: 9464, httpHost: '0.0.0.0' });
    expect(loadConfig({ ...required, HTTP_PORT: '1', HTTP_HOST: '::' })).toMatchObject({ httpPort: 1, httpHost: '::' });
  });

  it('names a port outside 1 to 65535 or a host that is not one', () => {
    expect(problemsOf({ ...required, HTTP_PORT: '0' })).toEqual(['HTTP_PORT must be between 1 and 65535']);
    expect(problemsOf({ ...required, HTTP_PORT: '65536' })).toEqual(['HTTP_PORT must be between 1 and 65535']);
    expect(problemsOf({ ...required, HTTP_PORT: 'metrics' })).toEqual(['HTTP_PORT must be a whole number']);
    expect(problemsOf({ ...required, HTTP_HOST: 'http://0.0.0.0:9464/' })).toEqual([
      'HTTP_HOST must be a host name or an IP address, e.g. 127.0.0.1 or 0.0.0.0',
    ]);
  });
});
