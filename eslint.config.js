import neostandard from 'neostandard'

// neostandard (the Fastify team's standard style) with TypeScript support; generated and built
// files are not ours to lint.
export default [
  ...neostandard({
    ts: true,
    ignores: ['dist/**', 'coverage/**', '.tap/**', 'artifacts/**', '.data/**', 'client/dist/**', 'client/.test-builds/**', 'client/src/api.d.ts']
  }),
  {
    rules: {
      // `void reply.header(...)`: Fastify's reply methods return the reply (thenable); `void` as a
      // statement marks the result as deliberately unused.
      'no-void': ['error', { allowAsStatement: true }]
    }
  }
]
