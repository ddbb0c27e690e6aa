/** Where ffmpeg and ffprobe are, for re-encoding a video over the upload limit. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { REQUIRED_ENV as required, problemsOf } from './support/config-env.ts';

describe('FFMPEG_PATH and FFPROBE_PATH', () => {
  it('default to ffmpeg and ffprobe on the PATH', () => {
    expect(loadConfig(required)).toMatchObject({ ffmpegPath: 'ffmpeg', ffprobePath: 'ffprobe' });
    expect(loadConfig({ ...required, FFMPEG_PATH: ' ', FFPROBE_PATH: '' })).toMatchObject({ ffmpegPath: 'ffmpeg', ffprobePath: 'ffprobe' });
  });

  it('find ffprobe beside an ffmpeg given by its path, unless FFPROBE_PATH says otherwise', () => {
    expect(loadConfig({ ...required, FFMPEG_PATH: '/opt/ffmpeg-7/bin/ffmpeg' })).toMatchObject({
      ffmpegPath: '/opt/ffmpeg-7/bin/ffmpeg',
      ffprobePath: '/opt/ffmpeg-7/bin/ffprobe',
    });
    expect(loadConfig({ ...required, FFMPEG_PATH: '/opt/ffmpeg-7/bin/ffmpeg', FFPROBE_PATH: '/usr/bin/ffprobe' })).toMatchObject({
      ffprobePath: '/usr/bin/ffprobe',
    });
    expect(loadConfig({ ...required, FFMPEG_PATH: 'ffmpeg7' }).ffprobePath).toBe('ffprobe');
  });

  it('refuse a value with a line break, naming the variable', () => {
    expect(problemsOf({ ...required, FFMPEG_PATH: 'ffmpeg\nrm' })).toEqual([
      'FFMPEG_PATH must be a program name or a path to it, e.g. ffmpeg or /usr/bin/ffmpeg',
    ]);
  });
});
