import { hello } from '@reactor-ts/buffer'; console.log('tour', hello);
