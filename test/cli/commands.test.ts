import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../bin/cascade-analyzer.ts';

describe('CLI: command list', () => {
  it("should list each command under its own name and summary (the list loads no command's module)", async () => {
    for (const entry of COMMANDS) {
      // Act
      const command = await entry.load();

      // Assess
      expect(command.name).toBe(entry.name);
      expect(command.summary, entry.name).toBe(entry.summary);
    }
  });
});
