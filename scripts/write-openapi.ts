import { writeFile } from 'node:fs/promises'
import { generateOpenApiYaml } from '../src/openapi/generate.js'

// `npm run openapi`: regenerates the committed openapi.yaml from the route schemas.
const yaml = await generateOpenApiYaml()
await writeFile(new URL('../openapi.yaml', import.meta.url), yaml)
process.stdout.write(`openapi.yaml written (${yaml.length} bytes)\n`)
