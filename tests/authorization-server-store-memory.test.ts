import { createMemoryStore } from 'gatehouse/authorization-server'
import { describeStore } from './helpers/store-suite.js'

describeStore('memory', async () => createMemoryStore())
